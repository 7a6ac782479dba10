using System.Numerics;

namespace Softnet.Load;

/// <summary>
/// A log-linear histogram of non-negative values (nanoseconds here): exact below 32, then 32 linear sub-buckets per
/// power of two, so any value is known to within 1/32 (~3%) of itself. The buckets are allocated once, up front, so
/// recording is an index computation and an increment — nothing a hot path has to pay for in allocations or locks.
/// </summary>
/// <remarks>
/// <see cref="Record"/> is not atomic: each instance must have one writer at a time. The load keeps one histogram per
/// CPU, and a CPU delivers one batch at a time (its bottom-half lock), which gives exactly that; the lock hand-over
/// between threads also publishes the counts. Readers merge after the writers stopped.
/// </remarks>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 5;
    private const int SubBuckets = 1 << SubBucketBits;

    /// <summary>Enough buckets for every non-negative long: the linear range, then one row per exponent 5..63.</summary>
    internal const int BucketCount = (64 - SubBucketBits + 1) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Adds one latency in nanoseconds (negative clock steps count as zero).</summary>
    public void Record(long value)
    {
        _counts[IndexOf(value <= 0 ? 0 : (ulong)value)]++;
        Count++;
    }

    /// <summary>Adds every count of <paramref name="other"/> to this one.</summary>
    public void Merge(LatencyHistogram other)
    {
        for (int i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
        Count += other.Count;
    }

    /// <summary>
    /// The value at quantile <paramref name="q"/> (0..1): the highest value of the bucket holding the ⌈q·n⌉-th smallest
    /// recorded value, so a percentile is never understated by more than rounding. 0 when nothing was recorded.
    /// </summary>
    public long Percentile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1.0);
        if (Count == 0)
            return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
                return HighestValueOf(i);
        }
        return HighestValueOf(_counts.Length - 1);
    }

    internal static int IndexOf(ulong value)
    {
        if (value < SubBuckets)
            return (int)value;
        int shift = BitOperations.Log2(value) - SubBucketBits;
        // value >> shift lies in [32, 64): the top bit picks the row, the next five bits the sub-bucket.
        return (shift + 1) * SubBuckets + (int)(value >> shift) - SubBuckets;
    }

    internal static long HighestValueOf(int index)
    {
        if (index < SubBuckets)
            return index;
        int shift = index / SubBuckets - 1;
        ulong lowest = (ulong)(SubBuckets + index % SubBuckets) << shift;
        ulong highest = lowest + ((1UL << shift) - 1);
        return highest > long.MaxValue ? long.MaxValue : (long)highest;
    }
}
