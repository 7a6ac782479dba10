using Softnet.Core;

namespace Softnet.Overload;

/// <summary>
/// One CPU's overload detector and CPU budget. Every poll round run for the CPU (by its softirq thread, its backlog
/// thread, a NAPI thread or an application thread processing inline) reports its duration here; the time is summed
/// per period. At each period's end — rolled by the next poll, or by the CPU's softirq thread, which wakes for it
/// while anything is active or not normal — the period's CPU share and time_squeeze rate are computed, the queues
/// last polled on this CPU are ticked, and the state machine is fed. In <see cref="OverloadMode.Auto"/> a period
/// whose polling time reaches the budget throttles the CPU until the period ends: its pollers stop and leave their
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
    private long _periodStart;
    private long _periodEnd;
    private long _periodPollNs;
    private long _passes;
    private long _squeezeAtStart;
    private bool _active;
    private long _pollNsTotal;
    private long _throttles;
    private long _throttledUntil;
    private long _nextTick = long.MaxValue;
    private double _share;
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
        StartPeriod(nowNs);
    }

    public OverloadState State => _detector.State;

    /// <summary>When the CPU's softirq thread has to tick next; long.MaxValue while idle and normal.</summary>
    public long NextTickNs => Volatile.Read(ref _nextTick);

    /// <summary>The end of the period the budget ran out in; pollers wait until then.</summary>
    public long ThrottledUntilNs => Volatile.Read(ref _throttledUntil);

    public bool IsThrottled(long nowNs) => nowNs < Volatile.Read(ref _throttledUntil);

    /// <summary>A net_rx_action pass starts (the denominator of the time_squeeze rate).</summary>
    public void CountPass() => _passes++;

    /// <summary>A poll round for this CPU ran from <paramref name="startNs"/> to <paramref name="endNs"/>.</summary>
    public void AccountPoll(long startNs, long endNs)
    {
        if (endNs >= _periodEnd)
            Tick(endNs);
        long ns = Math.Max(0, endNs - startNs);
        _periodPollNs += ns;
        Volatile.Write(ref _pollNsTotal, _pollNsTotal + ns);
        _active = true;
        if (_periodPollNs >= _control.BudgetNs && Volatile.Read(ref _throttledUntil) < _periodEnd)
        {
            Volatile.Write(ref _throttles, _throttles + 1);
            Volatile.Write(ref _throttledUntil, _periodEnd);
        }
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
    public OverloadInfo Info() => _detector.Info(
        _signals, _share, _maxShare, Volatile.Read(ref _pollNsTotal), _control.StartNs, Volatile.Read(ref _throttles));

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
    /// Feeds the detector: the backlog as it is now, the last whole period's rates. A running period's share is not
    /// used: one long poll round (or a poller preempted in one) would make a few milliseconds look like overload.
    /// </summary>
    private void Evaluate(long nowNs)
    {
        double share = _share;
        _signals = new OverloadSignals(
            (double)_cpu.Backlog.InputLength / _maxBacklog,
            _queues,
            0,
            _squeeze,
            share / _control.ShareLimit);
        if (_detector.Update(_signals.Level, nowNs) is { } from)
            _control.LogTransition(_messages, from, _detector.State);
    }
}
