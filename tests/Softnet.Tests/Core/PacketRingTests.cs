using Softnet.Core;

namespace Softnet.Tests.Core;

/// <summary>The backlog's FIFO: bulk appends and takes keep order across the ring's wrap and clear what they move out.</summary>
public sealed class PacketRingTests
{
    [Fact]
    public void BulkEnqueueAndDequeue_KeepOrderAcrossTheWrap()
    {
        var pool = new PacketPool(0, 64, prealloc: 16, limit: 16, deferMax: 0);
        var packets = new Packet[16];
        Assert.Equal(16, pool.Rent(packets));
        var ring = new PacketRing(5);
        var taken = new Packet[8];

        ring.Enqueue(packets.AsSpan(0, 3));
        Assert.Equal(2, ring.Dequeue(taken.AsSpan(0, 2)));
        Assert.Equal(packets[..2], taken[..2]);
        // Head at 2 with one packet queued: four more fill slots 3, 4, 0, 1.
        ring.Enqueue(packets.AsSpan(3, 4));
        Assert.Equal(5, ring.Count);
        ring.Enqueue(packets[7]);
        Assert.Equal(6, ring.Count);
        Assert.Equal(6, ring.Dequeue(taken));
        Assert.Equal(packets[2..8], taken[..6]);
        Assert.Equal(0, ring.Count);
        Assert.Equal(0, ring.Dequeue(taken));
        pool.Return(packets);
    }
}
