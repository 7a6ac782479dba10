namespace Softnet.Diagnostics;

/// <summary>
/// A latency distribution at a snapshot: <see cref="Counts"/> per bucket (not cumulative) for the finite bounds of
/// <see cref="BoundsSeconds"/> plus one above them, and the sum of every sample in seconds.
/// </summary>
public sealed record LatencyBuckets(IReadOnlyList<double> BoundsSeconds, IReadOnlyList<long> Counts, double SumSeconds)
{
    /// <summary>A distribution over the delivery-latency bounds with nothing counted.</summary>
    public static LatencyBuckets Empty { get; } = new(DeliveryLatency.BoundsSeconds, new long[DeliveryLatency.FiniteBuckets + 1], 0);

    /// <summary>The number of observations over every bucket.</summary>
    public long Count => Counts.Sum();
}
