namespace Softnet.Diagnostics;

/// <summary>
/// A latency distribution at a snapshot: <see cref="Counts"/> per bucket (not cumulative) for the finite bounds of
/// <see cref="BoundsSeconds"/> plus one above them, and the sum of every sample in seconds.
/// </summary>
public sealed record LatencyBuckets(IReadOnlyList<double> BoundsSeconds, IReadOnlyList<long> Counts, double SumSeconds)
{
    public static LatencyBuckets Empty { get; } = new(DeliveryLatency.BoundsSeconds, new long[DeliveryLatency.FiniteBuckets + 1], 0);

    public long Count => Counts.Sum();
}
