namespace Softnet.Scheduling;

/// <summary>
/// The top half of a device "interrupt": called on the softirq thread whose <see cref="IIrqWaiter"/> saw the
/// registered source become ready. The source stays masked until <see cref="IIrqWaiter.Rearm(int)"/>, as a
/// device IRQ stays disabled until its NAPI completes, so the handler should only schedule work, not drain.
/// </summary>
public interface IIrqHandler
{
    /// <summary>Handles the source's interrupt: runs on the softirq thread that saw it fire, and should only schedule work.</summary>
    void OnIrq();
}
