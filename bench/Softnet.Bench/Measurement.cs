namespace Softnet.Bench;

/// <summary>One contender's figures for one run. Null where the contender has no such thing (IPIs of a channel).</summary>
internal sealed record Measurement(
    double Seconds,
    long Sent,
    long Delivered,
    long Dropped,
    double? WakeupsPerPacket,
    long? Ipis,
    double AllocBytesPerPacket,
    long OutOfOrder,
    double P50Us,
    double P99Us,
    long CpuNs,
    IReadOnlyList<ThreadCpu.Share>? Threads = null)
{
    /// <summary>Process CPU time over the load per delivered packet: the efficiency figure at a rate every contender carries.</summary>
    public double CpuNsPerPacket => Delivered > 0 ? (double)CpuNs / Delivered : 0;

    public double Pps => Delivered / Seconds;

    /// <summary>Every packet sent was delivered or counted as dropped.</summary>
    public bool Balanced => Sent == Delivered + Dropped;
}
