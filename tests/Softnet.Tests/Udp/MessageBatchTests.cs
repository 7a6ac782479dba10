using System.Net;
using System.Net.Sockets;
using Softnet.Devices.Udp;
using Softnet.Interop;
using Softnet.Scheduling;
using Softnet.Steering;

namespace Softnet.Tests.Udp;

public class MessageBatchTests
{
    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public void Receive_GetsABatchWithContentsLengthsAndSources(AddressFamily family)
    {
        var loopback = family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        using var socket = UdpSocket.Open(new IPEndPoint(loopback, 0), default);
        using var sender = Loopback.Sender(family);
        using var batch = Loopback.ReceiveBatch(16, 256);
        for (int i = 0; i < 10; i++)
            sender.SendTo(Payload(i, 10 + i), socket.LocalEndPoint);

        int n = Loopback.ReceiveSome(batch, socket, want: 16);

        Assert.Equal(10, n);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(10 + i, batch.Length(i));
            Assert.False(batch.Truncated(i));
            Assert.False(batch.HasDropCounter(i));
            Assert.Equal(sender.LocalEndPoint, batch.SourceEndPoint(i));
            Assert.Equal(SockAddrOf((IPEndPoint)sender.LocalEndPoint!), batch.SourceAddress(i).ToArray());
        }
        Assert.Equal(0, batch.Receive(socket.Fd, 16));
    }

    [Fact]
    public void Receive_ReportsDatagramsLongerThanTheBuffer()
    {
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var batch = Loopback.ReceiveBatch(1, 64);

        sender.SendTo(new byte[100], socket.LocalEndPoint);

        Assert.Equal(1, Loopback.ReceiveSome(batch, socket));
        Assert.Equal(64, batch.Length(0));
        Assert.True(batch.Truncated(0));
    }

    [Fact]
    public void Receive_OnAClosedDescriptor_ReturnsMinusErrno()
    {
        using var batch = Loopback.ReceiveBatch(1, 64);

        Assert.Equal(-Errno.EBADF, batch.Receive(-1, 1));
    }

    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public void Send_DeliversABatchToAPlainSocket(AddressFamily family)
    {
        var loopback = family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        using var socket = UdpSocket.Open(new IPEndPoint(loopback, 0), default);
        using var receiver = Loopback.Sender(family);
        receiver.ReceiveTimeout = (int)Loopback.Patience.TotalMilliseconds;
        using var batch = new MessageBatch(8);
        byte[] destination = SockAddrOf((IPEndPoint)receiver.LocalEndPoint!);
        for (int i = 0; i < 8; i++)
        {
            var buffer = GC.AllocateArray<byte>(64, pinned: true);
            Payload(i, 20 + i).CopyTo(buffer, 0);
            batch.SetBuffer(i, buffer, 20 + i);
            batch.SetDestination(i, destination);
        }

        Assert.Equal(8, batch.Send(socket.Fd, 8));

        var received = new byte[128];
        for (int i = 0; i < 8; i++)
        {
            EndPoint from = new IPEndPoint(loopback, 0);
            int length = receiver.ReceiveFrom(received, ref from);
            Assert.Equal(Payload(i, 20 + i), received[..length]);
            Assert.Equal(socket.LocalEndPoint, from);
            Assert.Equal(20 + i, batch.Length(i));
        }
    }

    [Fact]
    public void ReceivedBatch_CanBeEchoedBackToItsSources()
    {
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var client = Loopback.Sender(AddressFamily.InterNetwork);
        client.ReceiveTimeout = (int)Loopback.Patience.TotalMilliseconds;
        var buffers = Enumerable.Range(0, 4).Select(_ => GC.AllocateArray<byte>(64, pinned: true)).ToArray();
        using var batch = new MessageBatch(4);
        for (int i = 0; i < 4; i++)
        {
            batch.SetBuffer(i, buffers[i]);
            client.SendTo(Payload(i, 5), socket.LocalEndPoint);
        }

        int n = Loopback.ReceiveSome(batch, socket, want: 4);
        for (int i = 0; i < n; i++)
            batch.SetBuffer(i, buffers[i], batch.Length(i));

        Assert.Equal(4, n);
        Assert.Equal(4, batch.Send(socket.Fd, n));
        var echo = new byte[64];
        for (int i = 0; i < 4; i++)
            Assert.Equal(Payload(i, 5), echo[..client.Receive(echo)]);
    }

    [Fact]
    public void Send_WithoutADestination_ReturnsMinusErrno()
    {
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var batch = new MessageBatch(1);
        batch.SetBuffer(0, GC.AllocateArray<byte>(8, pinned: true));

        Assert.True(batch.Send(socket.Fd, 1) < 0);
    }

    [Fact]
    public void RxqOverflow_ReportsTheCumulativeDropCount()
    {
        const int burst = 300;
        var options = new UdpSocketOptions { RxqOverflow = true, ReceiveBufferBytes = 1 };
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), options);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var batch = Loopback.ReceiveBatch(burst, 600);
        for (int i = 0; i < burst; i++)
            sender.SendTo(new byte[512], socket.LocalEndPoint);

        int queued = Loopback.ReceiveSome(batch, socket, want: burst);
        Assert.InRange(queued, 1, burst - 1);
        Assert.False(batch.HasDropCounter(0));
        Assert.Equal(0u, batch.DropCounter(0));

        sender.SendTo(new byte[512], socket.LocalEndPoint);
        Assert.Equal(1, Loopback.ReceiveSome(batch, socket));

        Assert.True(batch.HasDropCounter(0));
        Assert.Equal((uint)(burst - queued), batch.DropCounter(0));
    }

    [Fact]
    public void FlowHash_SeparatesFlowsAndIsNeverZero()
    {
        var local = SockAddrOf(new IPEndPoint(IPAddress.Loopback, 5000));
        var hashes = new HashSet<uint>();
        for (int port = 1; port <= 4096; port++)
        {
            uint h = FlowDissector.Hash(SockAddrOf(new IPEndPoint(IPAddress.Loopback, port)), local);
            Assert.NotEqual(0u, h);
            hashes.Add(h);
        }
        var v6 = SockAddrOf(new IPEndPoint(IPAddress.IPv6Loopback, 7));

        Assert.True(hashes.Count > 4090);
        Assert.Equal(FlowDissector.Hash(v6, local), FlowDissector.Hash(v6, local));
        Assert.NotEqual(FlowDissector.Hash(v6, local), FlowDissector.Hash(local, v6));
        Assert.NotEqual(0u, FlowDissector.Hash([], []));
    }

    [Fact]
    public void SteadyState_ReceiveSendWaitWakeAllocateNothing()
    {
        using var rx = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), new UdpSocketOptions { RxqOverflow = true });
        using var tx = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var rxBatch = Loopback.ReceiveBatch(32, 128);
        using var txBatch = new MessageBatch(32);
        byte[] destination = rx.LocalSockaddr.ToArray();
        for (int i = 0; i < 32; i++)
        {
            txBatch.SetBuffer(i, GC.AllocateArray<byte>(64, pinned: true));
            txBatch.SetDestination(i, destination);
        }
        using var waiter = new EpollWaiter();
        var irq = new CountingIrq();
        waiter.Register(rx.Fd, irq);

        uint sink = 0;
        int shortfalls = 0;
        // xunit's asserts may allocate, so the measured rounds only count what went wrong.
        void Round()
        {
            shortfalls += 32 - txBatch.Send(tx.Fd, 32);
            waiter.Wait(1_000_000_000);
            int n = rxBatch.Receive(rx.Fd, 32);
            shortfalls += 32 - n;
            for (int i = 0; i < n; i++)
                sink += FlowDissector.Hash(rxBatch.SourceAddress(i), rx.LocalSockaddr) + (uint)rxBatch.Length(i) + rxBatch.DropCounter(i);
            waiter.Rearm(rx.Fd);
            waiter.Wake();
            waiter.Wait(0);
            waiter.TryPollIrqs();
        }

        for (int i = 0; i < 200; i++)
            Round();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            Round();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(0, shortfalls);
        Assert.Equal(1200, irq.Count);
        Assert.NotEqual(0u, sink);
    }

    private static byte[] Payload(int seed, int length) =>
        Enumerable.Range(0, length).Select(j => (byte)(seed * 31 + j)).ToArray();

    private static byte[] SockAddrOf(IPEndPoint endPoint)
    {
        var buffer = new byte[Libc.SockaddrStorageBytes];
        return buffer[..SockAddr.Write(endPoint, buffer)];
    }
}
