using Softnet.Core;

namespace Softnet.Overload;

/// <summary>
/// One CPU's overload detector and CPU budget. Every poll round run for the CPU (by its softirq thread, its backlog
/// thread, a NAPI thread or an application thread processing inline) reports its duration here; the time is summed
/// per period. At each period's end — rolled by the next poll, or by the CPU's softirq thread, which wakes for it
/// while anything is active or not normal — the period's CPU share and time_squeeze rate are computed, the queues
/// last polled on this CPU are ticked, and the state machine is fed. In <see cref="OverloadMode.Auto"/>, with a budget
/// slice in force (<see cref="NetStackOptions.EffectiveOverloadBudgetSlice"/>), every poll is also charged to the
/// <see cref="CpuBudget"/>, which throttles the CPU's pollers once a slice's runtime is used: they stop and leave their
/// queues masked (Mogul and Ramakrishnan's cycle limit, Linux's RT throttling done per stack). Written under the
/// CPU's bottom-half lock; read from anywhere.
/// </summary>
internal sealed class CpuOverload
{
    private readonly SoftnetData _cpu;
    private readonly OverloadControl _control;
    private readonly OverloadDetector _detector;
    private readonly int _maxBacklog;
    private readonly string[] _messages;
    private readonly CpuBudget? _budget;
    private long _periodStart;
    private long _periodEnd;
    private long _periodPollNs;
    private long _passes;
    private long _squeezeAtStart;
    private bool _active;
    private long _pollNsTotal;
    private long _allocatedBytes;
    private long _nextTick = long.MaxValue;
    private double _share;
    private readonly RecentPollShare _recent;
    private double _maxShare;
    private double _squeeze;
    private double _queues;
    private OverloadSignals _signals;

    public CpuOverload(SoftnetData cpu, OverloadControl control, int maxBacklog, long nowNs)
    {
        _cpu = cpu;
        _control = control;
        _maxBacklog = maxBacklog;
        _messages = OverloadControl.TransitionMessages($"cpu {cpu.Cpu}");
        _detector = new OverloadDetector(control.Thresholds, nowNs);
        _budget = control.Mode == OverloadMode.Auto && control.SliceNs > 0 ? new CpuBudget(control.SliceNs, control.ShareLimit, nowNs) : null;
        _recent = new RecentPollShare(control.PeriodNs, nowNs);
        StartPeriod(nowNs);
    }

    public OverloadState State => _detector.State;

    /// <summary>When the CPU's softirq thread has to tick next; long.MaxValue while idle and normal.</summary>
    public long NextTickNs => Volatile.Read(ref _nextTick);

    /// <summary>Until when the budgeted pollers wait, out of runtime; in the past otherwise (always without a budget).</summary>
    public long ThrottledUntilNs => _budget?.ThrottledUntilNs ?? 0;

    /// <summary>Whether this CPU's polls run under a budget (<see cref="OverloadMode.Auto"/>).</summary>
    public bool HasBudget => _budget is not null;

    public bool IsThrottled(long nowNs) => _budget is { } budget && budget.IsThrottled(nowNs);

    /// <summary>
    /// How many packets a budgeted poll starting at <paramref name="nowNs"/> may read (<see cref="CpuBudget.Quota"/>),
    /// no more than <see cref="CpuBudget.ProtectedWaitNs"/> of work while this CPU takes a protected queue;
    /// <paramref name="weight"/> without a budget. Caller holds the CPU's bottom-half lock.
    /// </summary>
    public int Quota(long nowNs, int weight, long nsPerPacket)
    {
        if (_budget is not { } budget)
            return weight;
        int quota = budget.Quota(nowNs, weight, nsPerPacket);
        return Volatile.Read(ref _cpu.ProtectedQueues) > 0 ? CpuBudget.ProtectedQuota(quota, nsPerPacket) : quota;
    }

    /// <summary>A net_rx_action pass starts (the denominator of the time_squeeze rate).</summary>
    public void CountPass() => _passes++;

    /// <summary>Bytes a poll for this CPU allocated on its thread; summed for <see cref="OverloadInfo.PollAllocatedBytes"/>. Caller holds the CPU's bottom-half lock.</summary>
    private void AccountAllocation(long bytes)
    {
        if (bytes > 0)
            Volatile.Write(ref _allocatedBytes, _allocatedBytes + bytes);
    }

    /// <summary>
    /// A protected queue's poll ran for this CPU from <paramref name="startNs"/> to <paramref name="endNs"/>: not
    /// charged, but a break it ran in lasts as much longer (<see cref="CpuBudget.ChargeUnbudgeted"/>). Caller holds the
    /// CPU's bottom-half lock.
    /// </summary>
    public void AccountUnbudgetedPoll(long startNs, long endNs, long allocatedBytes)
    {
        AccountAllocation(allocatedBytes);
        _budget?.ChargeUnbudgeted(startNs, endNs);
    }

    /// <summary>
    /// A poll round for this CPU ran from <paramref name="startNs"/> to <paramref name="endNs"/> and left its queue at
    /// <paramref name="queueLevel"/>: the CPU's signal takes the polled queue's level at once (a socket filling up shows
    /// within the poll that saw it), the other queues' at the period's end.
    /// </summary>
    public void AccountPoll(long startNs, long endNs, long allocatedBytes, double queueLevel)
    {
        AccountAllocation(allocatedBytes);
        if (endNs >= _periodEnd)
            Tick(endNs);
        _queues = Math.Max(_queues, queueLevel);
        long ns = Math.Max(0, endNs - startNs);
        _periodPollNs += ns;
        _recent.Add(startNs, endNs);
        Volatile.Write(ref _pollNsTotal, _pollNsTotal + ns);
        _active = true;
        _budget?.Charge(startNs, endNs);
        // Someone has to end the period even if no poll comes after this one: the softirq thread.
        if (Volatile.Read(ref _nextTick) == long.MaxValue)
            SetNextTick(_periodEnd);
        Evaluate(endNs);
    }

    /// <summary>Ends the current period: its signals, the queues polled here, the state; then the next period. Caller holds the CPU's bottom-half lock.</summary>
    public void Tick(long nowNs)
    {
        long length = Math.Max(nowNs - _periodStart, _control.PeriodNs);
        _share = Math.Min(1.0, (double)_periodPollNs / length);
        _maxShare = Math.Max(_maxShare, _share);
        long squeezes = Volatile.Read(ref _cpu.Counters.TimeSqueeze);
        _squeeze = _passes > 0 ? Math.Min(1.0, (double)(squeezes - _squeezeAtStart) / _passes) : 0;
        bool busy = _active || IsThrottled(nowNs);
        double queues = 0;
        foreach (var napi in _control.Napis)
        {
            if (napi.Napi.LastPollCpu != _cpu)
                continue;
            napi.Tick(nowNs);
            queues = Math.Max(queues, napi.Level);
            busy |= napi.State != OverloadState.Normal;
        }
        _queues = queues;
        StartPeriod(nowNs);
        Evaluate(nowNs);
        busy |= _detector.State != OverloadState.Normal;
        SetNextTick(busy ? _periodEnd : long.MaxValue);
    }

    /// <summary>The view as of the detector's last evaluation, so it stands still while nothing happens.</summary>
    public OverloadInfo Info() =>
        _detector.Info(_signals, _share, _maxShare, Volatile.Read(ref _pollNsTotal), _control.StartNs, _budget?.Throttles ?? 0)
        with
        {
            PollAllocatedBytes = Volatile.Read(ref _allocatedBytes),
        };

    /// <summary>
    /// Programs the softirq thread's next tick. One that went to sleep seeing no deadline must be woken to read the new
    /// one (a timer being programmed, not a packet wake-up, so not counted).
    /// </summary>
    private void SetNextTick(long deadlineNs)
    {
        long old = Interlocked.Exchange(ref _nextTick, deadlineNs);
        if (old == long.MaxValue && deadlineNs != long.MaxValue)
            _cpu.Ksoftirqd.Waiter.Wake();
    }

    private void StartPeriod(long nowNs)
    {
        _periodStart = nowNs - (nowNs % _control.PeriodNs);
        _periodEnd = _periodStart + _control.PeriodNs;
        _periodPollNs = 0;
        _passes = 0;
        _squeezeAtStart = Volatile.Read(ref _cpu.Counters.TimeSqueeze);
        _active = false;
    }

    /// <summary>
    /// Feeds the detector: the backlog as it is now, the last whole period's rates, and the CPU share of the last four
    /// tenths of a period when higher (<see cref="RecentPollShare"/>), so that a flood that takes the CPU shows within a
    /// few milliseconds rather than at the end of the next whole period.
    /// </summary>
    private void Evaluate(long nowNs)
    {
        double share = Math.Max(_share, _recent.Share(nowNs));
        _signals = new OverloadSignals(
            (double)_cpu.Backlog.InputLength / _maxBacklog,
            _queues,
            0,
            _squeeze,
            share / _control.ShareLimit);
        if (_detector.Update(_signals.Level, nowNs) is { } from)
            _control.LogTransition(_messages, from, _detector.State, _budget is not null);
    }
}
