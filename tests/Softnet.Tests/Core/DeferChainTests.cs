using Softnet.Core;

namespace Softnet.Tests.Core;

/// <summary>skb_attempt_defer_free for a batch: a chain per owner pushed at once, bounded by skb_defer_max, kicking once per fill.</summary>
public sealed class DeferChainTests
{
    private const int DeferMax = 16;

    private static (Packet Head, Packet Tail) Chain(Packet[] packets)
    {
        for (int i = 0; i + 1 < packets.Length; i++)
            packets[i].Next = packets[i + 1];
        return (packets[0], packets[^1]);
    }

    [Fact]
    public void Chains_AreCountedWhole_KickOnceWhenPassingHalf_AndTheExcessOverTheLimitIsFreedAtOnce()
    {
        var pool = new PacketPool(0, 64, prealloc: 64, limit: 64, deferMax: DeferMax);
        var rented = new Packet[20];
        Assert.Equal(20, pool.Rent(rented));
        Assert.Equal(44, pool.Available);

        var (head, tail) = Chain(rented[..5]);
        Assert.False(pool.Defer(head, tail, 5));
        Assert.Equal(5, pool.DeferCount);

        // 5 + 5 passes half of 16: this push kicks the owner, and only this one.
        (head, tail) = Chain(rented[5..10]);
        Assert.True(pool.Defer(head, tail, 5));
        Assert.Equal(10, pool.DeferCount);

        // Room for 5 more (the list holds at most skb_defer_max - 1): the other 5 go straight back to the pool.
        (head, tail) = Chain(rented[10..20]);
        Assert.False(pool.Defer(head, tail, 10));
        Assert.Equal(DeferMax - 1, pool.DeferCount);
        Assert.Equal(49, pool.Available);

        Assert.Equal(DeferMax - 1, pool.FlushDefer());
        Assert.Equal(0, pool.DeferCount);
        Assert.Equal(64, pool.Available);
        Assert.Equal(0, pool.FlushDefer());
        // Every packet came back once: the pool rents all 64 and no more.
        var all = new Packet[65];
        Assert.Equal(64, pool.Rent(all));
        Assert.Equal(64, all.Take(64).Distinct().Count());
    }

    [Fact]
    public void WithoutADeferList_AChainGoesStraightBack()
    {
        var pool = new PacketPool(0, 64, prealloc: 8, limit: 8, deferMax: 0);
        var rented = new Packet[8];
        Assert.Equal(8, pool.Rent(rented));
        var (head, tail) = Chain(rented);
        Assert.False(pool.Defer(head, tail, 8));
        Assert.Equal(0, pool.DeferCount);
        Assert.Equal(8, pool.Available);
    }
}
