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
    double P99Us)
{

    public double Pps => Delivered / Seconds;

    /// <summary>Every packet sent was delivered or counted as dropped.</summary>
    public bool Balanced => Sent == Delivered + Dropped;
}
