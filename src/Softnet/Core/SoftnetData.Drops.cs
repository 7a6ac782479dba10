namespace Softnet.Core;

/// <summary>
/// The drop ledger: every packet the engine decides not to deliver goes through <see cref="Drop(DropReason, NetDevice?, ReadOnlySpan{Packet})"/>
/// or its count-only form, once, on the CPU that counts it. One call counts the reason, the receiving device's
/// rx_dropped, softnet_stat's <c>dropped</c> column where the kernel counts it (enqueue_to_backlog's backlog and flow-limit
/// drops), and frees the packets, so <c>grep "\.Drop("</c> lists every drop decision. The counts themselves are in <see cref="CpuCounters"/>.
/// </summary>
internal sealed partial class SoftnetData
{
    /// <summary>
    /// Drops <paramref name="packets"/>, which the caller owns and gives up: counted under <paramref name="reason"/> (and
    /// <paramref name="rxDevice"/>'s rx_dropped when the loss is the device's), then freed to their pools. Safe from any thread.
    /// </summary>
    internal void Drop(DropReason reason, NetDevice? rxDevice, ReadOnlySpan<Packet> packets)
    {
        Drop(reason, rxDevice, packets.Length);
        foreach (var p in packets)
            NetStack.FreeDropped(p);
    }

    /// <summary>Drops one packet the caller owns and gives up, as the batch form does.</summary>
    internal void Drop(DropReason reason, NetDevice? rxDevice, Packet packet)
    {
        Drop(reason, rxDevice, 1);
        NetStack.FreeDropped(packet);
    }

    /// <summary>
    /// Counts <paramref name="count"/> packets dropped that the caller frees itself (a driver recycling its unused
    /// buffers, a delivered batch freed after its handler threw) or never had (the pool was exhausted, the socket overflowed).
    /// </summary>
    internal void Drop(DropReason reason, NetDevice? rxDevice, long count)
    {
        if (count <= 0)
            return;
        Counters.CountDrop(reason, count);
        rxDevice?.CountRxDropped(count);
    }
}
