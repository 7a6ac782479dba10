namespace Softnet.Hosting;

/// <summary>
/// The <c>Softnet:OverloadThresholds</c> section: <see cref="Overload.OverloadThresholds"/> as it names its settings. A
/// setting left unset keeps the library's default; the ordering of the watermarks is checked at start.
/// </summary>
public sealed class SoftnetOverloadThresholdsOptions
{
    /// <summary>The level at or above which the state becomes pressured.</summary>
    public double? PressuredHigh { get; set; }

    /// <summary>The level below which a pressured state falls back to normal.</summary>
    public double? PressuredLow { get; set; }

    /// <summary>The level at or above which the state becomes overloaded.</summary>
    public double? OverloadedHigh { get; set; }

    /// <summary>The level below which an overloaded state falls back to pressured.</summary>
    public double? OverloadedLow { get; set; }

    /// <summary>How long the level must stay at or above a high watermark before that state is entered.</summary>
    public TimeSpan? EnterDwell { get; set; }

    /// <summary>How long the level must stay below a low watermark before that state is left.</summary>
    public TimeSpan? LeaveDwell { get; set; }

    /// <summary>A state entered again within this time of the last fall multiplies the leave dwell by four; zero turns flap damping off.</summary>
    public TimeSpan? FlapWindow { get; set; }

    /// <summary>The longest the leave dwell grows to under flap damping.</summary>
    public TimeSpan? MaxLeaveDwell { get; set; }
}
