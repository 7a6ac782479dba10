namespace Softnet.Scheduling;

/// <summary>
/// cond_resched for a polling thread: offer the CPU once a time slice has been used, not after every round (a yield per
/// round hands a CPU-bound competitor, a sender on the same CPU, a whole slice each time and starves the poller). What
/// the offer does depends on the thread's policy (<see cref="IPlatform.CondResched"/>).
/// </summary>
internal struct TimeSlice
{
    private const long SliceNs = 1_000_000;

    private long _startNs;

    public void Start(IPlatform platform) => _startNs = platform.NowNs();

    public void CondResched(IPlatform platform)
    {
        long now = platform.NowNs();
        if (now - _startNs < SliceNs)
            return;
        platform.CondResched();
        _startNs = platform.NowNs();
    }
}
