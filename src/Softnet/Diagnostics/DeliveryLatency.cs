using System.Diagnostics.Metrics;
using System.Numerics;
using Softnet.Core;
using Softnet.Scheduling;

namespace Softnet.Diagnostics;

/// <summary>
/// One CPU's delivery latency: how long packets waited between the device taking them in (<see cref="Packet.TimestampNs"/>)
/// and the handler getting them, in power-of-two buckets from 1.024 µs to 1.07 s. Written only by the CPU's poller
/// (under its bottom-half lock), so the buckets are plain increments; readers see each bucket atomically.
/// </summary>
internal sealed class DeliveryLatency
{
    /// <summary>Finite buckets; one more catches everything above the last bound.</summary>
    public const int FiniteBuckets = 21;

    private const int FirstShift = 10;

    private readonly long[] _counts = new long[FiniteBuckets + 1];
    private long _sumNs;

    /// <summary>The finite upper bounds in seconds (2^10 … 2^30 ns), shared by /metrics and the meter's histogram.</summary>
    public static IReadOnlyList<double> BoundsSeconds { get; } =
        [.. Enumerable.Range(0, FiniteBuckets).Select(i => (1L << (FirstShift + i)) / 1e9)];

    /// <summary>
    /// Counts the packets that carry a timestamp; <paramref name="meter"/> gets each one while a listener wants it. The
    /// clock is read once, at the first stamped packet: a batch from a device that stamps nothing costs no clock read.
    /// </summary>
    public void Record(ReadOnlySpan<Packet> batch, IPlatform clock, Histogram<double>? meter)
    {
        bool publish = meter is { Enabled: true };
        long nowNs = 0;
        foreach (var p in batch)
        {
            long stamp = p.TimestampNs;
            if (stamp == 0)
                continue;
            if (nowNs == 0)
                nowNs = clock.NowNs();
            long ns = Math.Max(0, nowNs - stamp);
            _counts[Bucket(ns)]++;
            _sumNs += ns;
            if (publish)
                meter!.Record(ns / 1e9);
        }
    }

    /// <summary>Adds this CPU's buckets and sum into <paramref name="counts"/> and returns the sum in nanoseconds.</summary>
    public long AddTo(long[] counts)
    {
        for (int i = 0; i < _counts.Length; i++)
            counts[i] += Volatile.Read(ref _counts[i]);
        return Volatile.Read(ref _sumNs);
    }

    /// <summary>The bucket whose bound is the first at or above <paramref name="ns"/> (bounds are inclusive, as Prometheus's <c>le</c>).</summary>
    internal static int Bucket(long ns) =>
        ns <= 1L << FirstShift ? 0 : Math.Min(BitOperations.Log2((ulong)(ns - 1)) - (FirstShift - 1), FiniteBuckets);
}
