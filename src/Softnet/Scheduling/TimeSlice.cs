namespace Softnet.Scheduling;

/// <summary>
/// cond_resched for a polling thread: give the CPU away once a time slice has been used, not after every round. A
/// yield per round hands a CPU-bound competitor (a sender on the same CPU) a whole slice each time and starves the
/// poller; never yielding starves the competitor.
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
        platform.Yield();
        _startNs = platform.NowNs();
    }
}
