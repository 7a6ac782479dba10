namespace Softnet.Scheduling;

/// <summary>
/// A queue interrupt whose source is a completion ring the waiting thread can sleep in itself (io_uring): when it is
/// the only source of a softirq wait, the wait is the ring's own io_uring_enter, which also submits what the queue
/// queued on the ring (its replies), so a request-response round trip costs that one syscall.
/// </summary>
internal interface IRingIrq : IIrqHandler
{
    /// <summary>Whether the source can ever be waited in (the kernel has the features); fixed for the handler's life.</summary>
    bool CanSleepInRing { get; }

    /// <summary>
    /// Sleeps in the ring until a completion, a ring of <paramref name="doorbellFd"/> (the wait's wake-up eventfd) or
    /// <paramref name="timeoutNs"/> (&lt; 0: none), submitting what is queued. False, without sleeping, when the calling
    /// thread cannot wait there now. <paramref name="ready"/>: a datagram's completion waits (the interrupt should
    /// fire); <paramref name="doorbell"/>: the eventfd was rung; <paramref name="timedOut"/>: the time ran out.
    /// </summary>
    bool TrySleepInRing(int doorbellFd, long timeoutNs, out bool ready, out bool doorbell, out bool timedOut);

    /// <summary>Hands what is queued on the ring to the kernel now (the wait about to happen is not the ring's).</summary>
    void SubmitQueued();
}
