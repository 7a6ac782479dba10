namespace Softnet.Overload;

/// <summary>
/// The overload state machine, normal → pressured → overloaded with hysteresis, driven by a load level and a time the
/// caller passes in (so it runs on any clock, a test's included). <see cref="Update"/> rises to the highest level whose
/// high watermark the signal has held without a break for the enter dwell (while the signal is at a higher watermark
/// whose dwell has not run yet, it waits for that one rather than stopping in the band below), and falls past every
/// level whose low watermark it has stayed under for the leave dwell (likewise waiting for a lower watermark it is
/// already under). A state entered again soon after a fall (within the flap window) multiplies the leave dwell by four,
/// up to its maximum, so a load that comes and goes quickly holds the state instead of flapping it: after one quick
/// re-entry the dwell (200 ms by default) outlasts an off phase as long as the on phase that brought the state back.
/// One writer at a time; readers may look from any thread.
/// </summary>
public sealed class OverloadDetector
{
    /// <summary>The leave dwell's growth per quick re-entry: doubling would give exactly 100 ms after the first one, no more than a 100 ms off phase.</summary>
    internal const int FlapFactor = 4;

    private readonly OverloadThresholds _t;
    private readonly long _enterNs;
    private readonly long _leaveBaseNs;
    private readonly long _leaveMaxNs;
    private readonly long _flapWindowNs;

    // Per level (index 1 and 2): since when the signal has been at or above its high watermark, or below its low
    // watermark, without interruption; long.MaxValue while it is not.
    private readonly long[] _aboveSince = [long.MaxValue, long.MaxValue, long.MaxValue];
    private readonly long[] _belowSince = [long.MaxValue, long.MaxValue, long.MaxValue];
    private readonly long[] _timeIn = new long[OverloadStates.Count];
    private int _state;
    private long _enteredNs;
    private long _lastTransitionNs;
    private long _transitions;
    private long _lastUpdateNs;
    private long _leaveNs;
    private long _lastFallNs = long.MinValue / 2;

    /// <summary>Creates a detector in the normal state at <paramref name="nowNs"/>, with <paramref name="thresholds"/> (validated first).</summary>
    public OverloadDetector(OverloadThresholds thresholds, long nowNs)
    {
        thresholds.Validate();
        _t = thresholds;
        _enterNs = (long)thresholds.EnterDwell.TotalNanoseconds;
        _leaveBaseNs = _leaveNs = (long)thresholds.LeaveDwell.TotalNanoseconds;
        _leaveMaxNs = (long)thresholds.MaxLeaveDwell.TotalNanoseconds;
        _flapWindowNs = (long)thresholds.FlapWindow.TotalNanoseconds;
        _enteredNs = nowNs;
        _lastUpdateNs = nowNs;
    }

    /// <summary>The current state: normal, pressured or overloaded.</summary>
    public OverloadState State => (OverloadState)Volatile.Read(ref _state);

    /// <summary>State changes so far (a jump from normal straight to overloaded is one).</summary>
    public long Transitions => Volatile.Read(ref _transitions);

    /// <summary>The leave dwell now, in nanoseconds: the configured one, or longer under flap damping.</summary>
    public long LeaveDwellNs => Volatile.Read(ref _leaveNs);

    /// <summary>The time of the last state change, on the caller's clock; 0 before the first.</summary>
    public long LastTransitionNs => Volatile.Read(ref _lastTransitionNs);

    /// <summary>The last level passed to <see cref="Update"/>.</summary>
    public double Level { get; private set; }

    /// <summary>The time of the last <see cref="Update"/> (of the creation before the first).</summary>
    public long LastUpdateNs => Volatile.Read(ref _lastUpdateNs);

    /// <summary>
    /// Feeds the level observed at <paramref name="nowNs"/> (0 = idle, 1 = at capacity). Returns the state before
    /// this update when the state changed, null otherwise. A time before the last update's counts as the last update's.
    /// </summary>
    public OverloadState? Update(double level, long nowNs)
    {
        // Times come from several threads (a poll's end read before another CPU's tick ran): one older than the last
        // update would date a low signal back and let the state fall before the signal was low for the leave dwell.
        nowNs = Math.Max(nowNs, _lastUpdateNs);
        Level = level;
        Volatile.Write(ref _lastUpdateNs, nowNs);
        for (int s = 1; s < OverloadStates.Count; s++)
        {
            var state = (OverloadState)s;
            _aboveSince[s] = level >= _t.High(state) ? Math.Min(_aboveSince[s], nowNs) : long.MaxValue;
            _belowSince[s] = level < _t.Low(state) ? Math.Min(_belowSince[s], nowNs) : long.MaxValue;
        }
        int current = _state;
        int next = current;
        for (int s = OverloadStates.Count - 1; s > current; s--)
        {
            if (_aboveSince[s] == long.MaxValue)
                continue;
            // A level already at a higher watermark is passing through the lower ones: it enters the higher state
            // when that state's dwell holds, as one change, instead of stopping in each band on the way up.
            if (nowNs - _aboveSince[s] >= _enterNs)
                next = s;
            break;
        }
        if (next == current)
        {
            long leaveNs = _leaveNs;
#if SIMULATION
            if (Core.PlantedBugs.OverloadLeaveEarly)
                leaveNs = 0;
#endif
            while (next > 0 && _belowSince[next] != long.MaxValue && nowNs - _belowSince[next] >= leaveNs)
                next--;
            // The same on the way down: a level already under a lower watermark falls past it too, as one change,
            // once that watermark's dwell has run, instead of stopping in the band above it.
            if (next > 0 && next < current && _belowSince[next] != long.MaxValue)
                next = current;
        }
        Core.ProtocolChecks.OverloadUpdated(this, _t, level, nowNs, (OverloadState)current, (OverloadState)next);
        if (next == current)
            return null;
        if (next < current)
            _lastFallNs = nowNs;
        else
            Volatile.Write(ref _leaveNs, nowNs - _lastFallNs < _flapWindowNs ? Math.Min(FlapFactor * _leaveNs, _leaveMaxNs) : _leaveBaseNs);
        Volatile.Write(ref _timeIn[current], _timeIn[current] + Math.Max(0, nowNs - _enteredNs));
        _enteredNs = nowNs;
        Volatile.Write(ref _lastTransitionNs, nowNs);
        Volatile.Write(ref _state, next);
        Volatile.Write(ref _transitions, _transitions + 1);
        return (OverloadState)current;
    }

    /// <summary>Time spent in <paramref name="state"/> up to <paramref name="nowNs"/>, the current stay included.</summary>
    public long TimeInStateNs(OverloadState state, long nowNs)
    {
        long total = Volatile.Read(ref _timeIn[(int)state]);
        if (State == state)
            total += Math.Max(0, nowNs - Volatile.Read(ref _enteredNs));
        return total;
    }

    /// <summary>
    /// The view as of the last evaluation, so it stands still while nothing happens: state, transitions and time in
    /// each state from here, the rest from the caller (<paramref name="pollNsTotal"/> polling time since
    /// <paramref name="startNs"/> gives the average share).
    /// </summary>
    public OverloadInfo Info(
        OverloadSignals signals, double share, double maxShare, long pollNsTotal, long startNs, long throttled)
    {
        long nowNs = LastUpdateNs;
        return new OverloadInfo(
            State,
            Transitions,
            TimeInStateNs(OverloadState.Normal, nowNs),
            TimeInStateNs(OverloadState.Pressured, nowNs),
            TimeInStateNs(OverloadState.Overloaded, nowNs),
            signals,
            share,
            maxShare,
            Math.Min(1.0, (double)pollNsTotal / Math.Max(1, nowNs - startNs)),
            throttled,
            LastTransitionNs);
    }
}
