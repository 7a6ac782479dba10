using System.Net;
using System.Net.Sockets;
using Softnet.Devices.Udp;
using Softnet.Interop;
using Softnet.Scheduling;

namespace Softnet.Tests.Udp;

public class UdpSocketTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::")]
    public void Open_BindsAnEphemeralPortAndReportsIt(string address)
    {
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Parse(address), 0), default);

        Assert.True(socket.Fd >= 0);
        Assert.Equal(IPAddress.Parse(address), socket.LocalEndPoint.Address);
        Assert.NotEqual(0, socket.LocalEndPoint.Port);
        Assert.True(socket.EffectiveReceiveBufferBytes > 0);
        Assert.Equal(socket.LocalEndPoint, SockAddr.Read(socket.LocalSockaddr));
    }

    [Fact]
    public void DualStackSocket_ReceivesIPv4AsMappedAddresses()
    {
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.IPv6Any, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var batch = Loopback.ReceiveBatch(4, 64);

        sender.SendTo("v4"u8, new IPEndPoint(IPAddress.Loopback, socket.LocalEndPoint.Port));
        int n = Loopback.ReceiveSome(batch, socket);

        Assert.Equal(1, n);
        var source = batch.SourceEndPoint(0);
        Assert.Equal(IPAddress.Loopback.MapToIPv6(), source.Address);
        Assert.Equal(((IPEndPoint)sender.LocalEndPoint!).Port, source.Port);
    }

    [Fact]
    public void ReusePort_LetsTwoSocketsShareAPort()
    {
        var options = new UdpSocketOptions { ReusePort = true };
        using var first = UdpSocket.Open(Loopback.UnusedPort(), options);
        using var second = UdpSocket.Open(first.LocalEndPoint, options);

        Assert.Equal(first.LocalEndPoint, second.LocalEndPoint);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:{0}")]
    [InlineData("::1", "[::1]:{0}")]
    public void PortInUse_ThrowsNamingTheCallAddressAndErrno(string address, string expectedEndPoint)
    {
        using var first = UdpSocket.Open(new IPEndPoint(IPAddress.Parse(address), 0), default);

        var ex = Assert.Throws<SocketSetupException>(() => UdpSocket.Open(first.LocalEndPoint, default));

        string endPoint = string.Format(expectedEndPoint, first.LocalEndPoint.Port);
        Assert.StartsWith($"bind {endPoint}: EADDRINUSE (", ex.Message);
        Assert.Equal("bind", ex.Operation);
        Assert.Equal(Errno.EADDRINUSE, ex.ErrorCode);
        Assert.Equal("EADDRINUSE", ex.ErrorName);
    }

    [Fact]
    public void ReusePortOnOneSideOnly_IsStillAddressInUse()
    {
        using var first = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), new UdpSocketOptions { ReusePort = true });

        var ex = Assert.Throws<SocketSetupException>(() => UdpSocket.Open(first.LocalEndPoint, default));

        Assert.Equal(Errno.EADDRINUSE, ex.ErrorCode);
    }

    [Fact]
    public void AddressNotOnThisHost_IsEaddrnotavail()
    {
        // TEST-NET-1 is never assigned to a host; binding it sends nothing.
        var ex = Assert.Throws<SocketSetupException>(() => UdpSocket.Open(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 0), default));

        Assert.StartsWith("bind 192.0.2.1:0: EADDRNOTAVAIL (", ex.Message);
    }

    [Fact]
    public void LinkLocalWithoutScope_IsEinval()
    {
        var ex = Assert.Throws<SocketSetupException>(() => UdpSocket.Open(new IPEndPoint(IPAddress.Parse("fe80::1"), 0), default));

        Assert.Equal(Errno.EINVAL, ex.ErrorCode);
        Assert.StartsWith("bind [fe80::1]:0: EINVAL (", ex.Message);
    }

    [Fact]
    public void NullEndPoint_IsAnArgumentError()
    {
        Assert.Throws<ArgumentNullException>(() => UdpSocket.Open(null!, default));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), new UdpSocketOptions { ReceiveBufferBytes = -1 }));
    }

    [Fact]
    public void FailedOpens_LeaveNoDescriptorBehind()
    {
        using var taken = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        int before = Directory.GetFiles("/proc/self/fd").Length;

        for (int i = 0; i < 1000; i++)
            Assert.Throws<SocketSetupException>(() => UdpSocket.Open(taken.LocalEndPoint, default));

        // Other tests open descriptors concurrently; a leak would add one per failed open.
        Assert.True(Directory.GetFiles("/proc/self/fd").Length - before < 500);
    }

    [Fact]
    public void Dispose_ClosesOnce()
    {
        var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        int port = socket.LocalEndPoint.Port;

        socket.Dispose();
        socket.Dispose();

        Assert.Equal(-1, socket.Fd);
        using var again = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, port), default);
    }

    [Fact]
    public void ReceiveBuffer_GrowsPastTheDefault()
    {
        const int requested = 8 << 20;
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), new UdpSocketOptions { ReceiveBufferBytes = requested });

        // The kernel doubles the request; SO_RCVBUFFORCE (root) ignores rmem_max, the SO_RCVBUF fallback is capped by it.
        if (Environment.IsPrivilegedProcess)
            Assert.Equal(2 * requested, socket.EffectiveReceiveBufferBytes);
        else
            Assert.True(socket.EffectiveReceiveBufferBytes > 0);
    }

    [Fact]
    public void TinyReceiveBuffer_IsRaisedToTheKernelMinimum()
    {
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), new UdpSocketOptions { ReceiveBufferBytes = 1 });

        Assert.InRange(socket.EffectiveReceiveBufferBytes, 2, 16 * 1024);
    }

    [Fact]
    public void CpuSteering_NeedsSoReuseport()
    {
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);

        Assert.False(socket.TryAttachReuseportCpuSteering(1));
    }

    [Fact]
    public void CpuSteering_DeliversToTheSocketIndexedByTheReceivingCpu()
    {
        var options = new UdpSocketOptions { ReusePort = true };
        using var q0 = UdpSocket.Open(Loopback.UnusedPort(), options);
        using var q1 = UdpSocket.Open(q0.LocalEndPoint, options);
        Assert.True(q0.TryAttachReuseportCpuSteering(2));
        using var batch = Loopback.ReceiveBatch(64, 64);
        UdpSocket[] queues = [q0, q1];

        // Loopback without RPS runs the receive softirq on the sending CPU, so the sender's CPU is the BPF's "cpu".
        if (!Loopback.ReceivesOnSendingCpu())
            return;
        foreach (int cpu in new[] { 0, 1 }.Where(Loopback.CanRunOn))
        {
            Assert.True(Loopback.SendPinned(cpu, q0.LocalEndPoint, senders: 16, each: 2));
            Assert.Equal(32, Loopback.ReceiveSome(batch, queues[cpu], want: 32));
            Assert.Equal(0, batch.Receive(queues[1 - cpu].Fd, 64));
        }
    }

    [Fact]
    public void CpuSteering_MapsCpusBeyondTheGroupIntoIt()
    {
        using var only = UdpSocket.Open(Loopback.UnusedPort(), new UdpSocketOptions { ReusePort = true });
        Assert.True(only.TryAttachReuseportCpuSteering(1));
        using var batch = Loopback.ReceiveBatch(64, 64);
        int cpu = SystemPlatform.Instance.AllowedOsCpus().Max();
        if (cpu == 0)
            return; // a one-CPU machine has no CPU beyond a one-socket group

        // The program takes the CPU modulo the queue count, so a CPU past the group still lands on a member.
        Assert.True(Loopback.SendPinned(cpu, only.LocalEndPoint, senders: 4, each: 2));
        Assert.Equal(8, Loopback.ReceiveSome(batch, only, want: 64));
    }
}
