using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Interop;

namespace Softnet.Tests.Udp;

/// <summary>The UDP queue's RX ring: slots stay posted, a read refills only what it consumed, sources land in the packets.</summary>
public sealed class RxRingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void ARead_ConsumesOnlyWhatArrived_AndTheRefillPostsOnlyThoseSlots()
    {
        var pool = new PacketPool(0, 256, prealloc: 32, limit: 32, deferMax: 64);
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var ring = new RxRing(8);

        Assert.Equal(8, ring.Refill(pool));
        Assert.Equal(24, pool.Available);
        for (int i = 0; i < 3; i++)
            sender.SendTo(new byte[] { (byte)i, 0xAB }, socket.LocalEndPoint);

        var got = ReadAll(ring, socket, 3, max: 8);

        Assert.Equal([0, 1, 2], got.Select(g => (int)g.Data[0]));
        Assert.All(got, g => Assert.Equal(2, g.Data.Length));
        var source = SockAddr.Read(got[0].Source);
        Assert.Equal(sender.LocalEndPoint, source);
        Assert.Equal(5, ring.Posted);
        Assert.Equal(3, ring.Refill(pool));
        Assert.Equal(8, ring.Posted);
        Assert.Equal(11, ring.SlotsPrepared);
        Assert.Equal(0, ring.Refill(pool));
        Assert.Equal(0, ring.Receive(socket.Fd, 8));
    }

    /// <summary>Reads that cross the end of the slot array continue at slot 0 and keep arrival order.</summary>
    [Fact]
    public void ReadsWrapAroundTheEnd_InArrivalOrder_AndRespectTheirLimit()
    {
        var pool = new PacketPool(0, 256, prealloc: 64, limit: 64, deferMax: 64);
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var ring = new RxRing(4);
        var order = new List<int>();
        int seq = 0;
        for (int round = 0; round < 5; round++)
        {
            ring.Refill(pool);
            for (int i = 0; i < 3; i++, seq++)
                sender.SendTo(BitConverter.GetBytes(seq), socket.LocalEndPoint);
            order.AddRange(ReadAll(ring, socket, 3, max: 2, refill: pool).Select(g => BitConverter.ToInt32(g.Data)));
        }

        Assert.Equal(Enumerable.Range(0, 15), order);
        Assert.Equal(4, ring.Posted);
    }

    [Fact]
    public void Dispose_ReturnsThePostedPacketsToTheirPool()
    {
        var pool = new PacketPool(0, 256, prealloc: 16, limit: 16, deferMax: 64);
        var ring = new RxRing(8);
        ring.Refill(pool);
        Assert.Equal(8, pool.Available);

        ring.Dispose();

        Assert.Equal(16, pool.Available);
        Assert.Equal(0, ring.Posted);
    }

    [Fact]
    public void ReceiveTakeConsumeRefill_AllocateNothing()
    {
        var pool = new PacketPool(0, 256, prealloc: 64, limit: 64, deferMax: 64);
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var ring = new RxRing(16);
        var payload = new byte[32];
        var taken = new Packet[16];
        Cycle(ring, pool, socket, sender, payload, taken);

        long allocated = 0;
        for (int i = 0; i < 50; i++)
            allocated += Cycle(ring, pool, socket, sender, payload, taken);

        Assert.Equal(0, allocated);
    }

    /// <summary>Sends one datagram, then refills, reads, takes and consumes; returns the bytes the ring's part allocated.</summary>
    private static long Cycle(RxRing ring, PacketPool pool, UdpSocket socket, Socket sender, byte[] payload, Packet[] taken)
    {
        sender.SendTo(payload, socket.LocalEndPoint);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ring.Refill(pool);
        int n;
        long start = Stopwatch.GetTimestamp();
        while ((n = ring.Receive(socket.Fd, 16)) == 0 && Stopwatch.GetElapsedTime(start) < Patience)
            Thread.Yield();
        for (int i = 0; i < n; i++)
            taken[i] = ring.Take(i, out _);
        ring.Consume();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        pool.Return(taken.AsSpan(0, n));
        Array.Clear(taken);
        return allocated;
    }

    /// <summary>Reads until <paramref name="count"/> datagrams arrived (bounded), copying each out and returning its packet.</summary>
    private static List<(byte[] Data, byte[] Source)> ReadAll(RxRing ring, UdpSocket socket, int count, int max, PacketPool? refill = null)
    {
        var got = new List<(byte[] Data, byte[] Source)>();
        var clock = Stopwatch.StartNew();
        while (got.Count < count && clock.Elapsed < Patience)
        {
            int n = ring.Receive(socket.Fd, max);
            Assert.True(n >= 0, n < 0 ? Errno.Describe(-n) : "");
            Assert.InRange(n, 0, max);
            // The test socket does not ask for SO_RXQ_OVFL: no read carries a drop counter.
            Assert.False(ring.TryReadDropCounter(out _));
            for (int i = 0; i < n; i++)
            {
                var p = ring.Take(i, out bool truncated);
                Assert.False(truncated);
                got.Add((p.Data.ToArray(), p.SourceAddress.ToArray()));
                NetStack.FreeDropped(p);
            }
            ring.Consume();
            if (refill is not null)
                ring.Refill(refill);
            if (n == 0)
                Thread.Sleep(1);
        }
        return got;
    }
}
