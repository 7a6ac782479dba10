namespace Softnet.Diagnostics;

/// <summary>How a counter's value behaves, which decides its Prometheus type and its <c>Softnet</c> meter instrument.</summary>
public enum CounterKind
{
    /// <summary>Only ever grows (an observable counter; <c>_total</c> in Prometheus).</summary>
    Counter,

    /// <summary>A level that goes up and down (an observable gauge).</summary>
    Gauge,

    /// <summary>A distribution in buckets (a histogram; <c>_bucket</c>, <c>_sum</c> and <c>_count</c> in Prometheus).</summary>
    Histogram,
}
