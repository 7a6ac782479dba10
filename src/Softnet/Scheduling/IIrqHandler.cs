namespace Softnet.Scheduling;

/// <summary>
/// The top half of a device "interrupt": called on the softirq thread whose <see cref="EpollWaiter"/> saw the
/// registered descriptor become readable. The descriptor stays masked until <see cref="EpollWaiter.Rearm"/>, as a
/// device IRQ stays disabled until its NAPI completes, so the handler should only schedule work, not drain.
/// </summary>
public interface IIrqHandler
{
    void OnIrq();
}
