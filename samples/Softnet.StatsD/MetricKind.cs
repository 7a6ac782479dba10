namespace Softnet.StatsD;

/// <summary>The StatsD metric types, by their type field: <c>c</c>, <c>ms</c>, <c>g</c>, <c>s</c>.</summary>
public enum MetricKind : byte
{
    /// <summary><c>c</c>: summed over the flush interval, scaled by <c>1 / sample rate</c>.</summary>
    Counter,

    /// <summary><c>ms</c>: each value kept for the interval's count, mean, bounds and percentiles.</summary>
    Timer,

    /// <summary><c>g</c>: the last value set, or moved by a <c>+</c>/<c>-</c> delta; kept across intervals.</summary>
    Gauge,

    /// <summary><c>s</c>: the number of distinct values seen in the interval.</summary>
    Set,
}
