using Softnet.Core;

namespace Softnet.Overload;

/// <summary>
/// The watermarks and dwell times of an <see cref="OverloadDetector"/>. A level is entered once the signal stayed at
/// or above its high watermark for <see cref="EnterDwell"/>, and left once it stayed below its low watermark for
/// <see cref="LeaveDwell"/>: the gap between the two watermarks and the dwell times keep a signal hovering around
/// one threshold from flapping the state.
/// </summary>
public sealed record OverloadThresholds
{
    /// <summary>The level at or above which the state becomes pressured.</summary>
    public double PressuredHigh { get; init; } = 0.50;

    /// <summary>The level below which a pressured state falls back to normal.</summary>
    public double PressuredLow { get; init; } = 0.25;

    /// <summary>Queue utilisation above 75% is the sign of overload the kernel's networking maintainers name.</summary>
    public double OverloadedHigh { get; init; } = 0.75;

    /// <summary>The level below which an overloaded state falls back to pressured.</summary>
    public double OverloadedLow { get; init; } = 0.50;

    /// <summary>
    /// How long the level must stay at or above a high watermark before that state is entered. Short, because the CPU
    /// share in the level is already taken over a window of a few milliseconds (see <see cref="OverloadSignals"/>): a
    /// flood that takes the CPU is overloaded within the window plus this dwell.
    /// </summary>
    public TimeSpan EnterDwell { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How long the level must stay below a low watermark before that state is left (before flap damping).</summary>
    public TimeSpan LeaveDwell { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Flap damping: a state entered again within this time of the last fall multiplies the leave dwell by four (up to
    /// <see cref="MaxLeaveDwell"/>); one entered later starts again from <see cref="LeaveDwell"/>. So a load that comes
    /// and goes faster than the detector should follow keeps the state instead of flapping it, while a single flood is
    /// still left after <see cref="LeaveDwell"/>. Zero turns damping off.
    /// </summary>
    public TimeSpan FlapWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest the leave dwell grows to under flap damping.</summary>
    public TimeSpan MaxLeaveDwell { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks that the watermarks are ordered and the dwell times and flap window are in range; throws <see cref="ArgumentOutOfRangeException"/> otherwise.</summary>
    public void Validate()
    {
        if (!(PressuredLow >= 0 && PressuredLow < PressuredHigh && PressuredHigh <= OverloadedHigh
            && OverloadedLow < OverloadedHigh && PressuredLow <= OverloadedLow))
        {
            throw new ArgumentOutOfRangeException(
                nameof(NetStackOptions.OverloadThresholds),
                $"OverloadThresholds must satisfy 0 <= PressuredLow < PressuredHigh <= OverloadedHigh, PressuredLow <= OverloadedLow < OverloadedHigh (got {this})");
        }
        if (EnterDwell < TimeSpan.Zero || LeaveDwell < TimeSpan.Zero || EnterDwell > TimeSpan.FromMinutes(1) || LeaveDwell > TimeSpan.FromMinutes(1))
            throw new ArgumentOutOfRangeException(nameof(NetStackOptions.OverloadThresholds), "OverloadThresholds dwell times must be between 0 and 1 minute");
        if (FlapWindow < TimeSpan.Zero || FlapWindow > TimeSpan.FromMinutes(1) || MaxLeaveDwell < LeaveDwell || MaxLeaveDwell > TimeSpan.FromMinutes(1))
            throw new ArgumentOutOfRangeException(nameof(NetStackOptions.OverloadThresholds), "OverloadThresholds FlapWindow must be between 0 and 1 minute, MaxLeaveDwell between LeaveDwell and 1 minute");
    }

    internal double High(OverloadState state) => state == OverloadState.Overloaded ? OverloadedHigh : PressuredHigh;

    internal double Low(OverloadState state) => state == OverloadState.Overloaded ? OverloadedLow : PressuredLow;
}
