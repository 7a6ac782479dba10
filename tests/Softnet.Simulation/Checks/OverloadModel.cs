using Softnet.Overload;

namespace Softnet.Simulation.Checks;

/// <summary>
/// The overload detector's specification, written independently of it, fed the same levels at the same times: a level
/// is entered once the signal has been at or above its high watermark without a break for the enter dwell (the highest
/// such level wins, and none below a level whose watermark the signal is at before that level's dwell has run), and
/// left once the signal has been under its low watermark for the leave dwell, level by level (none above a lower low
/// watermark the signal is already under before that one's dwell has run), never in the same update as a rise; a rise
/// within the flap window of the last fall multiplies the leave dwell by four (up to its maximum), a later one resets
/// it. Every update's outcome must be the model's, and a change of direction (a rise after a fall, a fall after a rise)
/// must come no sooner than the dwell that guards it.
/// </summary>
internal sealed class OverloadModel
{
    private readonly long[] _aboveSince = [long.MaxValue, long.MaxValue, long.MaxValue];
    private readonly long[] _belowSince = [long.MaxValue, long.MaxValue, long.MaxValue];
    private OverloadState _state;
    private long _lastChangeNs = long.MinValue;
    private int _lastDirection;
    private long _leaveNs = -1;
    private long _lastFallNs = long.MinValue / 2;

    /// <summary>Checks one update; returns what is wrong, or null.</summary>
    public string? Check(OverloadThresholds t, double level, long nowNs, OverloadState from, OverloadState to)
    {
        if (from != _state)
            return $"the detector was {from.Name()} where the model has {_state.Name()}";
        long enter = (long)t.EnterDwell.TotalNanoseconds, baseLeave = (long)t.LeaveDwell.TotalNanoseconds;
        if (_leaveNs < 0)
            _leaveNs = baseLeave;
        long leave = _leaveNs;
        for (int s = 1; s <= 2; s++)
        {
            double high = s == 2 ? t.OverloadedHigh : t.PressuredHigh;
            double low = s == 2 ? t.OverloadedLow : t.PressuredLow;
            _aboveSince[s] = level >= high ? Math.Min(_aboveSince[s], nowNs) : long.MaxValue;
            _belowSince[s] = level < low ? Math.Min(_belowSince[s], nowNs) : long.MaxValue;
        }
        var expected = _state;
        for (int s = 2; s > (int)_state; s--)
        {
            if (_aboveSince[s] == long.MaxValue)
                continue;
            if (nowNs - _aboveSince[s] >= enter)
                expected = (OverloadState)s;
            break;
        }
        if (expected == _state)
        {
            while (expected > OverloadState.Normal && _belowSince[(int)expected] != long.MaxValue && nowNs - _belowSince[(int)expected] >= leave)
                expected--;
            if (expected > OverloadState.Normal && expected < _state && _belowSince[(int)expected] != long.MaxValue)
                expected = _state;
        }
        if (to != expected)
            return $"level {level:F3} at {nowNs} ns took {from.Name()} to {to.Name()}, the specification says {expected.Name()} (enter dwell {enter} ns, leave dwell {leave} ns)";
        if (to != from)
        {
            int direction = to > from ? 1 : -1;
            long guard = direction > 0 ? enter : leave;
            if (_lastDirection == -direction && nowNs - _lastChangeNs < guard)
                return $"{from.Name()} -> {to.Name()} {nowNs - _lastChangeNs} ns after the opposite change, under the {guard} ns dwell";
            _lastDirection = direction;
            _lastChangeNs = nowNs;
            if (direction < 0)
                _lastFallNs = nowNs;
            else
                _leaveNs = nowNs - _lastFallNs < (long)t.FlapWindow.TotalNanoseconds ? Math.Min(4 * _leaveNs, (long)t.MaxLeaveDwell.TotalNanoseconds) : baseLeave;
        }
        _state = to;
        return null;
    }
}
