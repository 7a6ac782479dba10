namespace Softnet.Overload;

/// <summary>
/// One CPU's polling budget under <see cref="OverloadMode.Auto"/>: a runtime of share × slice in every slice of
/// <see cref="Core.NetStackOptions.OverloadBudgetSlice"/>, the way SCHED_DEADLINE's constant-bandwidth server (or RT
/// throttling's runtime per period) bounds a task. Short slices bound how long the packet threads hold the CPU
/// without a break — a SCHED_FIFO thread with 90% of a 10 ms period would run 9 ms straight — and the runtime left
/// caps how many packets the next poll may read (<see cref="Quota"/>), so a poll ends about where the runtime does.
/// Out of runtime, the CPU is throttled for the rest of the slice, and never for less than the slice's idle part
/// (slice − runtime): what polls cannot be charged with (waking up, the loop between polls, the kernel's switch)
/// then lengthens the cycle instead of eating into the time left to others. The next slice starts with the first poll
/// after the throttle, so the pollers' wake-up is not taken out of its runtime; after a pause of the pollers at least as
/// long as that idle part, one starts with the next poll too, so a run never gets the end of one slice and the whole of
/// the next back to back. A poll is charged when it ends, to each slice for
/// its part there, from the end of the poll before when it follows that closely (the loop between polls is the
/// pollers' time), and a poll that used up a slice's runtime ends in a break even when it ran on into the next slice;
/// what polls use past a slice's runtime is owed by the slices after it (up to one slice's length, so that a poller
/// that ran long once is not punished for it for long), which keeps the share exact over time. Unbudgeted polls (protected queues) are not charged, but one that runs in a break
/// makes the break that much longer, so that the break stays other tasks' time. Written under the CPU's bottom-half
/// lock; the throttle's end is read from anywhere.
/// </summary>
internal sealed class CpuBudget
{
    /// <summary>
    /// How long a budgeted poll may run on a CPU that takes a protected queue's interrupt. A protected datagram that
    /// arrives during a flooded queue's poll waits for that poll to end (the softirq thread looks at its interrupts
    /// between polls), so such a poll reads only as many datagrams as fit in this time at the queue's recent cost per
    /// datagram. 100 µs is half of the slack a protected round trip is allowed over its idle p99 (200 µs); the price
    /// is more, shorter polls for the flooded queue.
    /// </summary>
    public const long ProtectedWaitNs = 100_000;

    private readonly long _sliceNs;
    private readonly long _runtimeNs;

    /// <summary>The slice's idle part (slice − runtime): the least break others get, and what counts as a pause of the pollers.</summary>
    private readonly long _idleNs;
    private long _sliceEnd;
    private long _used;
    private long _lastEndNs;
    private long _throttledFrom;
    private long _throttledUntil;
    private long _throttles;

    public CpuBudget(long sliceNs, double share, long nowNs)
    {
        _sliceNs = sliceNs;
        _runtimeNs = Math.Max(1, (long)(sliceNs * share));
        _idleNs = sliceNs - _runtimeNs;
        _sliceEnd = nowNs - (nowNs % sliceNs) + sliceNs;
    }

    public long SliceNs => _sliceNs;

    public long RuntimeNs => _runtimeNs;

    /// <summary>Until when the CPU's budgeted pollers stop; in the past while the budget has runtime left.</summary>
    public long ThrottledUntilNs => Volatile.Read(ref _throttledUntil);

    /// <summary>Slices the budget cut short.</summary>
    public long Throttles => Volatile.Read(ref _throttles);

    public bool IsThrottled(long nowNs) => nowNs < Volatile.Read(ref _throttledUntil);

    /// <summary>
    /// How many packets a poll starting at <paramref name="nowNs"/> may read, at most <paramref name="weight"/>: the
    /// running slice's runtime left over the queue's recent cost per packet (<paramref name="nsPerPacket"/>, 0 when not
    /// known yet), rounded up, and at least one.
    /// </summary>
    public int Quota(long nowNs, int weight, long nsPerPacket)
    {
        Begin(nowNs);
        long left = _runtimeNs - _used;
        if (nsPerPacket <= 0 || left >= weight * nsPerPacket)
            return weight;
        return left <= 0 ? 1 : (int)Math.Max(1, (left + nsPerPacket - 1) / nsPerPacket);
    }

    /// <summary>
    /// <paramref name="quota"/> cut to the datagrams that take at most <see cref="ProtectedWaitNs"/> at
    /// <paramref name="nsPerPacket"/> each (unchanged while the cost is not known yet), and at least one.
    /// </summary>
    public static int ProtectedQuota(int quota, long nsPerPacket) =>
        nsPerPacket <= 0 ? quota : (int)Math.Clamp(ProtectedWaitNs / nsPerPacket, 1, quota);

    /// <summary>Charges a poll that ran from <paramref name="startNs"/> to <paramref name="endNs"/>; throttles the CPU once the runtime is used.</summary>
    public void Charge(long startNs, long endNs)
    {
        // A poll that follows the last one closer than a slice's idle part is charged from that one's end: the loop
        // between the pollers' polls (finding the next NAPI, its interrupts, the clock reads) is their time too, and
        // left out it let a slice end before its runtime was used, so the next one started without a break.
        if (startNs > _lastEndNs && !IsPause(startNs) && _lastEndNs >= Volatile.Read(ref _throttledUntil))
            startNs = _lastEndNs;
        Begin(startNs);
        // A poll that crosses slice ends is charged to each slice for its part there.
        long from = startNs;
        bool overran = false;
        while (endNs >= _sliceEnd)
        {
            _used += Math.Max(0, _sliceEnd - from);
            overran |= _used >= _runtimeNs;
            from = Math.Max(from, _sliceEnd);
            Roll(_sliceEnd);
        }
        _lastEndNs = Math.Max(_lastEndNs, endNs);
        _used += Math.Max(0, endNs - from);
        if (_used < _runtimeNs && !overran)
            return;
        // The slice ends now for the budgeted pollers, and so do the ones its debt uses up: k runtimes are paid. A poll
        // that ran on past the end of a slice whose runtime it used up ends in a break too, however little of the
        // next slice it took (a long poll, or one whose vCPU the host took away meanwhile, which the thread's CPU clock
        // counts): without it the pollers ran that slice, the overrun and the next slice's runtime without a break.
        long k = _used / _runtimeNs;
        long idleEnd = endNs + _idleNs;
        long until = k == 0 ? idleEnd : Math.Max(_sliceEnd, idleEnd) + ((k - 1) * _sliceNs);
        _used = Math.Min(_used - (k * _runtimeNs), _sliceNs);
        _sliceEnd = until + _sliceNs;
        if (until > Volatile.Read(ref _throttledUntil))
        {
            if (endNs >= _throttledUntil)
                _throttledFrom = endNs;
            Volatile.Write(ref _throttles, _throttles + 1);
            Volatile.Write(ref _throttledUntil, until);
        }
    }

    /// <summary>
    /// Unbudgeted work (a protected queue's poll) ran on this CPU from <paramref name="startNs"/> to
    /// <paramref name="endNs"/>. Begun in a throttle, it took that much of the break from other tasks, so the throttle
    /// ends as much later: a break always leaves others the slice's idle part. (A protected poll longer than the break
    /// let it run out meanwhile, and the budgeted polls went on with the next runtime without a break.) Begun while the
    /// budgeted pollers were running, it took that much of the slice from others, so the slice ends as much later, and
    /// it is no pause of the pollers: their slice goes on after it. (A protected poll in a run, its reply's loopback
    /// delivery included, left the slice's runtime unused at its end, or looked like a pause when it was longer than the
    /// idle part: either way the budgeted polls went on with a fresh runtime, two runtimes without a break.)
    /// </summary>
    public void ChargeUnbudgeted(long startNs, long endNs)
    {
        long until = Volatile.Read(ref _throttledUntil);
        long from = Math.Max(startNs, _throttledFrom);
        if (from < until && endNs > from)
        {
            Volatile.Write(ref _throttledUntil, until + (endNs - from));
        }
        else if (!IsPause(startNs))
        {
            _sliceEnd += endNs - startNs;
            _lastEndNs = Math.Max(_lastEndNs, endNs);
        }
    }

    /// <summary>
    /// A poll starts at <paramref name="startNs"/>: after a pause as long as a slice's idle part that was not a throttle
    /// (nothing is owed then), a slice starts with it; otherwise the slices run on.
    /// </summary>
    private void Begin(long startNs)
    {
        long throttledUntil = Volatile.Read(ref _throttledUntil);
        if (_lastEndNs < throttledUntil && startNs >= throttledUntil)
        {
            // The first poll after a throttle: the slice starts with it, owing what it owed. Started when the throttle
            // ended, it lost the pollers' wake-up to the slice (70 µs and more in a guest), and a slice that ended
            // before its runtime was used let the next begin without a break.
            _sliceEnd = startNs + _sliceNs;
        }
        else if (IsPause(startNs) && _lastEndNs >= throttledUntil)
        {
            _sliceEnd = startNs + _sliceNs;
            _used = 0;
        }
        else
        {
            Roll(startNs);
        }
    }

    /// <summary>Whether the pollers' last poll ended at least the slice's idle part before <paramref name="startNs"/>.</summary>
    private bool IsPause(long startNs) => startNs - _lastEndNs >= _idleNs;

    /// <summary>Moves to the slice <paramref name="nowNs"/> falls in; every slice begun pays one runtime of the debt.</summary>
    private void Roll(long nowNs)
    {
        if (nowNs < _sliceEnd)
            return;
        long slices = ((nowNs - _sliceEnd) / _sliceNs) + 1;
        _sliceEnd += slices * _sliceNs;
        _used = Math.Clamp(_used - (slices * _runtimeNs), 0, _sliceNs);
    }
}
