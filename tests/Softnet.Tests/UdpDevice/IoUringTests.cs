using System.Collections.Concurrent;
using System.Net;
using Softnet.Core;
namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>What only the io_uring backend has: support detection, the fallback, the per-buffer header, the ring's refill.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class IoUringTests
{
    private static readonly bool Supported = IoUringSupport.WhyNot() is null;

    [Fact]
    public void WhyNot_NamesTheKernelOrThePolicy()
    {
        Assert.Contains("older than 6.0", IoUringSupport.WhyNot(new Version(5, 15, 0), 0));
        Assert.Contains("io_uring_disabled is 2", IoUringSupport.WhyNot(new Version(6, 1), 2));
        // 1 restricts rings to a group: only io_uring_setup can tell, so it is worth trying.
        Assert.Null(IoUringSupport.WhyNot(new Version(6, 1), 1));
        Assert.Null(IoUringSupport.WhyNot(new Version(6, 0), 0));
        Assert.Null(IoUringSupport.WhyNot(new Version(6, 8), null));
    }

    /// <summary>Where the kernel allows it every queue receives through its ring and nothing is logged; elsewhere the device falls back to epoll with one line.</summary>
    [Fact]
    public void Open_UsesIoUringWhereAllowed_ElseEpollWithOneLogLine()
    {
        var log = new ConcurrentQueue<string>();
        var stack = new NetStack(UdpStacks.Options() with { Log = log.Enqueue }, static (_, _) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = UdpBackend.IoUring, Queues = 2 });
            dev.Start();
            var queues = dev.Napis.Cast<UdpQueue>().ToArray();
            var lines = log.Where(l => l.Contains("io_uring", StringComparison.Ordinal)).ToArray();
            if (Supported)
            {
                Assert.Equal(UdpBackend.IoUring, dev.Backend);
                Assert.All(queues, q => Assert.Equal(UdpBackend.IoUring, q.Backend));
                Assert.Empty(lines);
            }
            else
            {
                Assert.Equal(UdpBackend.Epoll, dev.Backend);
                Assert.Single(lines);
            }
            var epoll = UdpDevice.Open(stack, new UdpDeviceOptions { Name = "udp1", Queues = 1 });
            epoll.Start();
            Assert.Equal(UdpBackend.Epoll, epoll.Backend);
            Assert.Null(Assert.Single(epoll.Napis.Cast<UdpQueue>()).RingPostedSlots);
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Fact]
    public void Validate_RefusesAnUnknownBackend()
    {
        var stack = UdpStacks.Create(static (_, _) => { });
        try
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => UdpDevice.Open(stack, new UdpDeviceOptions { Backend = (UdpBackend)7 }));
            Assert.Equal("Backend", e.ParamName);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>
    /// The kernel writes the source and the control message in front of the payload: a datagram that fills the rest
    /// of the buffer arrives byte for byte from its sender, one byte more is truncated and counted as malformed.
    /// </summary>
    [Fact]
    public void TheLargestDatagramArrivesIntact_OneByteMoreIsMalformed()
    {
        const int bufferSize = 512;
        int fits = bufferSize - UdpDeviceOptions.IoUringHeaderBytes;
        var received = new ConcurrentQueue<(byte[] Data, int Port)>();
        var stack = new NetStack(
            UdpStacks.Options() with { PacketBufferSize = bufferSize },
            (batch, _) =>
            {
                foreach (var p in batch)
                    received.Enqueue((p.Data.ToArray(), Payload.Port(p.SourceAddress)));
            });
        using var sender = new Flows(1, System.Net.Sockets.AddressFamily.InterNetwork);
        UdpDevice dev;
        try
        {
            dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = UdpBackend.IoUring, Queues = 1 });
            dev.Start();
            var payload = Enumerable.Range(0, fits + 1).Select(i => (byte)(i * 7)).ToArray();
            sender[0].SendTo(payload.AsSpan(0, fits), dev.LocalEndPoint);
            sender[0].SendTo(payload, dev.LocalEndPoint);
            sender[0].SendTo(payload.AsSpan(0, 1), dev.LocalEndPoint);
            Wait.Until(() => received.Count + stack.Snapshot().Dropped >= 3, () => $"3 datagrams, got {received.Count}");
        }
        finally
        {
            stack.Dispose();
        }

        var got = received.ToArray();
        if (dev.Backend == UdpBackend.IoUring)
        {
            Assert.Equal(2, got.Length);
            Assert.Equal(Enumerable.Range(0, fits).Select(i => (byte)(i * 7)), got[0].Data);
            Assert.Equal([(byte)0], got[1].Data);
            Assert.All(got, g => Assert.Equal(sender.Ports[0], g.Port));
            Assert.Equal(1, stack.Snapshot().Drops.GetValueOrDefault(DropReason.Malformed));
        }
        else
        {
            Assert.Equal(3, got.Length);
            Assert.Equal(UdpBackend.Epoll, dev.Backend);
        }
    }

    /// <summary>
    /// Request-response through one io_uring queue: each request is answered with its own bytes and, in the same
    /// handler call, sent once more to port 0, which the kernel refuses. The replies arrive in order and intact (the
    /// payload read in place behind the ring's header, sent from the reply batch), each counted in tx_packets; each
    /// refused send is a TX drop (send_failed); both went through the ring (its owner's wait submitted them).
    /// </summary>
    [Fact]
    public void RepliesLeaveThroughTheRing_CountedAsSent_ARefusedOneIsASendFailedDrop()
    {
        const int count = 200;
        UdpDevice? dev = null;
        var refused = UdpEndpoint.From(new IPEndPoint(IPAddress.Loopback, 0));
        var stack = UdpStacks.Create((batch, _) =>
        {
            foreach (var p in batch)
            {
                dev!.Reply(p, p.Data);
                dev.SendTo(refused, p.Data);
            }
        });
        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = (int)Wait.Patience.TotalMilliseconds;
        var answers = new List<byte[]>();
        UdpQueue queue;
        try
        {
            dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = UdpBackend.IoUring, Queues = 1 });
            dev.Start();
            queue = Assert.Single(dev.Napis.Cast<UdpQueue>());
            var request = new byte[48];
            var answer = new byte[256];
            for (int i = 0; i < count; i++)
            {
                for (int b = 0; b < request.Length; b++)
                    request[b] = (byte)(i + (b * 3));
                client.SendTo(request, dev.LocalEndPoint);
                int n = client.Receive(answer);
                answers.Add(answer[..n]);
            }
            var device = dev;
            Wait.Until(() => device.TxPackets + device.TxDropped >= 2 * count, () => $"{2 * count} sends accounted, tx {device.TxPackets}, dropped {device.TxDropped}");
        }
        finally
        {
            stack.Dispose();
        }

        for (int i = 0; i < count; i++)
            Assert.Equal(Enumerable.Range(0, 48).Select(b => (byte)(i + (b * 3))), answers[i]);
        Assert.Equal(count, dev.TxPackets);
        Assert.Equal(count, dev.TxDropCount(TxDropReason.SendFailed));
        Assert.Equal(count, dev.TxDropped);
        if (dev.Backend == UdpBackend.IoUring)
            Assert.Equal(2 * count, queue.RingSends);
        else
            Assert.Equal(0, queue.RingSends);
    }

    /// <summary>After a burst larger than the ring, every slot the polls consumed has been posted again.</summary>
    [Fact]
    public void AfterABurst_EverySlotIsPostedAgain_AndEveryDatagramArrivedInOrder()
    {
        const int count = 2000;
        using var flows = new Flows(1, System.Net.Sockets.AddressFamily.InterNetwork, receiveBufferBytes: 1 << 20);
        var recorder = new Recorder(flows.Ports);
        var stack = UdpStacks.Create(recorder.Handle);
        int? posted;
        UdpDevice dev;
        try
        {
            dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = UdpBackend.IoUring, Queues = 1, ReceiveBufferBytes = 16 << 20 });
            dev.Start();
            var buffer = new byte[Payload.Bytes];
            for (int seq = 0; seq < count; seq++)
            {
                Payload.Write(buffer, 0, seq, 0);
                flows[0].SendTo(buffer, dev.LocalEndPoint);
            }
            Wait.Settled(stack, recorder, count);
            var queue = Assert.Single(dev.Napis.Cast<UdpQueue>());
            Wait.Until(() => (queue.State & NapiState.Sched) == 0, () => $"the NAPI to complete, state {queue.State}");
            posted = queue.RingPostedSlots;
        }
        finally
        {
            stack.Dispose();
        }

        Accounting.AssertAllAccounted(count, recorder.Delivered, stack.Snapshot());
        Assert.True(recorder.OutOfOrder == 0, recorder.Describe());
        if (dev.Backend == UdpBackend.IoUring)
            Assert.Equal(IoUringRx.SlotsFor(new UdpDeviceOptions().Weight), posted);
        else
            Assert.Null(posted);
    }
}
