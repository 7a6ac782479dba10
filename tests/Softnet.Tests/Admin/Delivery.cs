using Softnet.Core;

namespace Softnet.Tests.Admin;

/// <summary>The stack's handler for the scenarios: counts what is delivered and checks each flow's sequence only grows.</summary>
internal sealed class Delivery(int flows)
{
    private readonly long[] _last = Enumerable.Repeat(-1L, flows).ToArray();
    private long _delivered;
    private long _outOfOrder;

    public long Delivered => Volatile.Read(ref _delivered);

    /// <summary>Packets that arrived after a later packet of their flow.</summary>
    public long OutOfOrder => Volatile.Read(ref _outOfOrder);

    public void Handle(ReadOnlySpan<Packet> batch, int cpu)
    {
        foreach (var p in batch)
        {
            var (flow, seq) = FlowPacket.Read(p);
            if (Interlocked.Exchange(ref _last[flow], seq) >= seq)
                Interlocked.Increment(ref _outOfOrder);
        }
        Interlocked.Add(ref _delivered, batch.Length);
    }
}
