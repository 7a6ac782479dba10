using Softnet.Core;
using Softnet.Load;

namespace Softnet.Tests.Admin;

/// <summary>The stack's handler for the scenarios: counts what is delivered and checks each flow's sequence only grows (the load's <see cref="FlowOrder"/>).</summary>
internal sealed class Delivery(int flows)
{
    private readonly FlowOrder _order = new(flows);
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
            if (!_order.InOrder(flow, seq))
                Interlocked.Increment(ref _outOfOrder);
        }
        Interlocked.Add(ref _delivered, batch.Length);
    }
}
