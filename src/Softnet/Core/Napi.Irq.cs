using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>
/// A queue's interrupt: an interrupt source of the platform (a socket's readiness on the system platform) registered
/// on one CPU's softirq wait. It fires its handler once and stays masked until the driver re-arms it after
/// napi_complete_done, as a device IRQ stays disabled until its NAPI completes. CPU hotplug moves it
/// (<see cref="NetDevice"/>'s irq migration), so every driver follows offline and online CPUs the same way.
/// </summary>
public abstract partial class Napi
{
    private int _irqSource = -1;
    private IIrqHandler? _irqHandler;
    private SoftnetData? _irqCpu;

    /// <summary>The CPU whose softirq thread takes this queue's interrupt; null while none is registered.</summary>
    internal SoftnetData? IrqCpu => Volatile.Read(ref _irqCpu);

    /// <summary>request_irq on <paramref name="cpu"/>: readiness of <paramref name="source"/> runs <paramref name="handler"/> there, armed at once.</summary>
    internal void RegisterIrq(SoftnetData cpu, int source, IIrqHandler handler)
    {
        _irqSource = source;
        _irqHandler = handler;
        var old = Interlocked.Exchange(ref _irqCpu, cpu);
        if (Protected)
        {
            // A queue registered again without a free_irq first (a device going down) moves its count.
            if (old is not null)
                Interlocked.Decrement(ref old.ProtectedQueues);
            Interlocked.Increment(ref cpu.ProtectedQueues);
        }
        cpu.Ksoftirqd.RegisterIrq(source, handler);
    }

    /// <summary>free_irq: the interrupt no longer fires; an event already collected may still run its handler once.</summary>
    internal virtual void UnregisterIrq()
    {
        if (Interlocked.Exchange(ref _irqCpu, null) is { } cpu)
        {
            cpu.Ksoftirqd.UnregisterIrq(_irqSource);
            if (Protected)
                Interlocked.Decrement(ref cpu.ProtectedQueues);
        }
    }

    /// <summary>
    /// Unmasks the interrupt after the NAPI completed (or on a driver's error path); a no-op while none is registered.
    /// <paramref name="drained"/>: the poll read the source until empty after the interrupt fired (see <see cref="IIrqWaiter.Rearm(int, bool)"/>).
    /// </summary>
    internal void RearmIrq(bool drained = false)
    {
        if (Volatile.Read(ref _irqCpu) is { } cpu)
            cpu.Ksoftirqd.RearmIrq(_irqSource, drained);
    }

    /// <summary>irq_set_affinity for hotplug: the interrupt moves to <paramref name="cpu"/>'s softirq thread.</summary>
    internal void MoveIrq(SoftnetData cpu)
    {
        int source = _irqSource;
        var handler = _irqHandler!;
        UnregisterIrq();
        RegisterIrq(cpu, source, handler);
    }
}
