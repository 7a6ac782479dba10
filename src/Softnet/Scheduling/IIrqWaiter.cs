namespace Softnet.Scheduling;

/// <summary>
/// The idle wait of a per-CPU softirq thread, which also delivers device interrupts: a registered source fires its
/// <see cref="IIrqHandler"/> on the waiting thread once, then stays masked until <see cref="Rearm(int)"/>, as a device IRQ
/// stays disabled until its NAPI completes. The system platform's is epoll over the queues' sockets.
/// </summary>
public interface IIrqWaiter : IWaiter
{
    /// <summary>Makes <paramref name="handler"/> the interrupt of source <paramref name="fd"/>, armed at once.</summary>
    void Register(int fd, IIrqHandler handler);

    /// <summary>Removes the interrupt of <paramref name="fd"/>; an event already collected may still run its handler once.</summary>
    void Unregister(int fd);

    /// <summary>Unmasks the interrupt of <paramref name="fd"/>; it fires again at once if the source is still ready.</summary>
    void Rearm(int fd);

    /// <summary>
    /// Unmasks the interrupt of <paramref name="fd"/> after its NAPI completed. <paramref name="drained"/>: the source
    /// was read until empty (EAGAIN) after the interrupt fired, so a waiter whose sources raise an edge for each new
    /// arrival may unmask without looking at the source again. A waiter that cannot tell does a plain <see cref="Rearm(int)"/>.
    /// </summary>
    void Rearm(int fd, bool drained) => Rearm(fd);

    /// <summary>Runs the handlers of ready, armed sources without sleeping; true when any ran.</summary>
    bool TryPollIrqs();
}
