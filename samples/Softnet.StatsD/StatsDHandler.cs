using Softnet.Core;
using Softnet.Hosting;

namespace Softnet.StatsD;

/// <summary>The packet handler: each batch the stack delivers is aggregated in place, from the packets' own buffers.</summary>
public sealed class StatsDHandler(Aggregator aggregator, ReceiveAllocations allocations) : IPacketBatchHandler
{
    /// <inheritdoc />
    public void Handle(ReadOnlySpan<Packet> batch, PacketContext context)
    {
        allocations.Observe();
        aggregator.Record(batch);
    }
}
