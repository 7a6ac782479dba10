using Softnet.Scheduling;

namespace Softnet.Load;

/// <summary>
/// One producer thread's send loop, paced by a <see cref="Pacer"/>: every load built on it (Softnet's loopback load
/// and the benchmark's channel baseline) paces, bounds and stops the same way, so their figures compare like for like.
/// The loop ends on a stop request, at its deadline, or after <see cref="Limit"/> packets, whichever comes first.
/// Between batches it sleeps (<see cref="Pacer.Sleep"/>) rather than yields: a yielding producer keeps its CPU busy, and
/// the CPU time per packet of a paced run would measure the waiting, the same on every side of a comparison.
/// </summary>
public static class PacedProducer
{
    /// <summary>A per-producer ceiling no thread reaches; it only keeps the loop finite should the clock stall.</summary>
    public const long CeilingPacketsPerSecond = 1_000_000_000;

    /// <summary>The most packets a producer may send in <paramref name="durationNs"/>: the ceiling over the duration rounded up, plus a second.</summary>
    public static long Limit(long durationNs) =>
        (long)Math.Min(long.MaxValue / 2, CeilingPacketsPerSecond * (Math.Ceiling(durationNs / 1e9) + 1));

    /// <summary>
    /// Sends batches through <paramref name="send"/> (called with how many packets to send now) at
    /// <paramref name="packetsPerSecond"/> (0 = as fast as possible) from <paramref name="startNs"/> for
    /// <paramref name="durationNs"/>, publishing the running count in <paramref name="sent"/> after every batch.
    /// </summary>
    public static void Run<TSend>(ref TSend send, double packetsPerSecond, int maxBatch, IPlatform clock, long startNs, long durationNs, Func<bool> stopping, ref long sent)
        where TSend : struct, IBatchSend
    {
        long deadline = startNs + durationNs;
        long limit = Limit(durationNs);
        var pacer = new Pacer(packetsPerSecond, maxBatch, startNs, Pacer.SleepingFillNs);
        long count = 0;
        while (!stopping() && count < limit)
        {
            long now = clock.NowNs();
            if (now >= deadline)
                break;
            int n = pacer.Take(now);
            if (n == 0)
            {
                pacer.Sleep();
                continue;
            }
            send.Send(n);
            count += n;
            Volatile.Write(ref sent, count);
        }
    }
}
