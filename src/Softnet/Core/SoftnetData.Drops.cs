using System.Runtime.InteropServices;

namespace Softnet.Core;

/// <summary>
/// The drop ledger: every packet the engine decides not to deliver goes through <see cref="Drop(DropReason, NetDevice?, ReadOnlySpan{Packet})"/>
/// or its count-only form, once, on the CPU that counts it. One call counts the reason, the receiving device's
/// rx_dropped, softnet_stat's <c>dropped</c> column where the kernel counts it (enqueue_to_backlog's backlog and flow-limit
/// drops), and frees the packets, so <c>grep "\.Drop("</c> lists every drop decision.
/// </summary>
public sealed partial class SoftnetData
{
    /// <summary>Padding in longs on each side of the per-reason counters, which senders on other CPUs write (128 bytes).</summary>
    private const int DropPad = 16;

    private readonly long[] _drops = new long[DropPad + DropReasons.Count + DropPad];

    /// <summary>Counters other CPUs write, kept on their own cache lines, away from this CPU's plain counters and poll list.</summary>
    internal RemoteCounters Remote;

    internal long DropCount(DropReason reason) => Volatile.Read(ref _drops[DropPad + (int)reason]);

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
        Interlocked.Add(ref _drops[DropPad + (int)reason], count);
        if (reason is DropReason.Backlog or DropReason.FlowLimit)
            Interlocked.Add(ref Remote.BacklogDropped, count);
        rxDevice?.CountRxDropped(count);
    }

    /// <summary>softnet_stat counters written by other CPUs (a sender's backlog drop, a waker's wake-up), 128 bytes from anything else.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 2 * Pad + 3 * sizeof(long))]
    internal struct RemoteCounters
    {
        private const int Pad = 128;

        /// <summary>softnet_stat's <c>dropped</c>: backlog and flow-limit drops only, unlike the snapshot's total of every reason.</summary>
        [FieldOffset(Pad)]
        public long BacklogDropped;

        [FieldOffset(Pad + sizeof(long))]
        public long IpiSent;

        [FieldOffset(Pad + (2 * sizeof(long)))]
        public long Wakeups;
    }
}
