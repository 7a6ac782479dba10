namespace Softnet.Overload;

/// <summary>
/// The share of the last few milliseconds a CPU spent polling, over a window that slides with the clock: polling time
/// is kept per tenth of a period in a small ring, each poll spread over the tenths it ran in, and the share at a time
/// is the time polled in the window ending there (the oldest tenth counted for the part of it still inside) over the
/// window's length. A flood that takes the CPU shows as soon as it has filled most of the window, not at the end of
/// the next whole period, and one long poll round shows as what it is: busy for the tenths it covered (a poller preempted
/// in a poll included: it had packets waiting for the CPU). Runs on every poll, so a slot is a mask, not a division.
/// One writer at a time.
/// </summary>
internal sealed class RecentPollShare
{
    /// <summary>The window's length in tenths of a period.</summary>
    internal const int Buckets = 4;

    // The tenth the clock is in, partly elapsed, and the whole ones before it: at least Buckets + 1 slots, a power of two.
    private const int Slots = 8;

    private readonly long _bucketNs;
    private readonly long[] _ns = new long[Slots];
    private long _bucket;

    public RecentPollShare(long periodNs, long nowNs)
    {
        _bucketNs = Math.Max(1, periodNs / 10);
        _bucket = nowNs / _bucketNs;
    }

    /// <summary>
    /// A poll ran from <paramref name="startNs"/> to <paramref name="endNs"/>: each tenth it covered gets its part; a
    /// tenth already out of the window (a poll reported late) gets nothing.
    /// </summary>
    public void Add(long startNs, long endNs)
    {
        long last = endNs / _bucketNs;
        Advance(last);
        for (long b = Math.Max(startNs / _bucketNs, _bucket - Buckets); b <= last; b++)
        {
            long ns = Math.Min(endNs, (b + 1) * _bucketNs) - Math.Max(startNs, b * _bucketNs);
            if (ns > 0)
                _ns[Slot(b)] = Math.Min(_ns[Slot(b)] + ns, _bucketNs);
        }
    }

    /// <summary>The share of the window ending at <paramref name="nowNs"/> spent polling, 0 to 1.</summary>
    public double Share(long nowNs)
    {
        Advance(nowNs / _bucketNs);
        long elapsed = Math.Clamp(nowNs - (_bucket * _bucketNs), 0, _bucketNs);
        long sum = Math.Min(_ns[Slot(_bucket)], elapsed);
        for (int i = 1; i < Buckets; i++)
            sum += _ns[Slot(_bucket - i)];
        // The oldest tenth has slid out of the window by as much as the current one has elapsed.
        sum += _ns[Slot(_bucket - Buckets)] * (_bucketNs - elapsed) / _bucketNs;
        return Math.Min(1.0, (double)sum / (Buckets * _bucketNs));
    }

    /// <summary>Moves the ring to tenth <paramref name="bucket"/>, clearing the tenths it passes.</summary>
    private void Advance(long bucket)
    {
        for (long b = _bucket + 1; b <= bucket && b <= _bucket + Slots; b++)
            _ns[Slot(b)] = 0;
        _bucket = Math.Max(_bucket, bucket);
    }

    private static int Slot(long bucket) => (int)(bucket & (Slots - 1));
}
