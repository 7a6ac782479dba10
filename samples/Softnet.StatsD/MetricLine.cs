namespace Softnet.StatsD;

/// <summary>
/// One parsed line, pointing into the datagram: <c>name:value|type[|@rate]</c>. It lives on the stack and is
/// consumed before the packet is freed, so parsing allocates nothing.
/// </summary>
public readonly ref struct MetricLine
{
    /// <summary>The metric name as sent (UTF-8).</summary>
    public ReadOnlySpan<byte> Name { get; init; }

    /// <summary>The type field.</summary>
    public MetricKind Kind { get; init; }

    /// <summary>The numeric value (counters, timers, gauges); for a gauge delta, signed.</summary>
    public double Value { get; init; }

    /// <summary>A gauge written with a leading <c>+</c> or <c>-</c>: added to the current value instead of replacing it.</summary>
    public bool IsDelta { get; init; }

    /// <summary>The <c>@rate</c> field, 1 when absent.</summary>
    public double SampleRate { get; init; }

    /// <summary>The value field as sent: a set's member.</summary>
    public ReadOnlySpan<byte> RawValue { get; init; }
}
