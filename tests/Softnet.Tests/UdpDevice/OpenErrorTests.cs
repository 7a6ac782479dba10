using System.Net;
using System.Net.Sockets;
using Softnet.Core;
using Softnet.Interop;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>Open failures name what failed, and leave neither a registered device nor an open socket behind.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class OpenErrorTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:{0}")]
    [InlineData("::1", "[::1]:{0}")]
    public void PortHeldByAPlainSocket_IsEaddrinuseNamingBindAndTheAddress(string address, string shown)
    {
        var ip = IPAddress.Parse(address);
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            int port;
            using (var holder = PlainSocket(ip))
            {
                holder.Bind(new IPEndPoint(ip, 0));
                port = ((IPEndPoint)holder.LocalEndPoint!).Port;

                var ex = Assert.Throws<SocketSetupException>(
                    () => UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 2, Bind = new IPEndPoint(ip, port) }));

                Assert.Contains("bind", ex.Message);
                Assert.Contains(string.Format(shown, port), ex.Message);
                Assert.Contains("EADDRINUSE", ex.Message);
                Assert.Equal("bind", ex.Operation);
                Assert.Equal(Errno.EADDRINUSE, ex.ErrorCode);
                Assert.Equal(new IPEndPoint(ip, port), ex.EndPoint);
                Assert.Empty(stack.Devices);
            }
            AssertPortFree(ip, port);
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Fact]
    public void AddressNotOnThisHost_IsEaddrnotavail()
    {
        // With ip_nonlocal_bind the kernel accepts any address, and there is nothing to test.
        if (File.Exists("/proc/sys/net/ipv4/ip_nonlocal_bind") && File.ReadAllText("/proc/sys/net/ipv4/ip_nonlocal_bind").Trim() != "0")
            return;
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var bind = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 0);

            var ex = Assert.Throws<SocketSetupException>(() => UdpDevice.Open(stack, new UdpDeviceOptions { Bind = bind }));

            Assert.Contains("bind 192.0.2.1:0", ex.Message);
            Assert.Contains("EADDRNOTAVAIL", ex.Message);
            Assert.Equal("EADDRNOTAVAIL", ex.ErrorName);
            Assert.Empty(stack.Devices);
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Theory]
    [InlineData(1000, "Queues", "between 1 and 256")]
    [InlineData(257, "Queues", "between 1 and 256")]
    [InlineData(-1, "Queues", "between 1 and 256")]
    public void QueuesOutOfRange_NamesTheOptionAndTheRange(int queues, string option, string range)
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            int port = FreePort();

            var ex = Assert.Throws<ArgumentOutOfRangeException>(
                () => UdpDevice.Open(stack, new UdpDeviceOptions { Queues = queues, Bind = new IPEndPoint(IPAddress.Loopback, port) }));

            Assert.Equal(option, ex.ParamName);
            Assert.Contains(range, ex.Message);
            Assert.Contains($"got {queues}", ex.Message);
            Assert.Empty(stack.Devices);
            AssertPortFree(IPAddress.Loopback, port);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>Queues = 0 is the default: one queue per stack CPU, each interrupt on its own CPU.</summary>
    [Fact]
    public void QueuesZero_IsOnePerCpu()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 0 });
            dev.Start();

            Assert.Equal(stack.CpuCount, dev.QueueCount);
            Assert.Equal(Enumerable.Range(0, stack.CpuCount), dev.QueueStats.Select(q => q.IrqCpu));
            Assert.Equal(stack.CpuCount, dev.Napis.Select(n => n.Id).Distinct().Count());
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Theory]
    [InlineData("Weight", 0)]
    [InlineData("Weight", 5000)]
    [InlineData("MaxChannels", 2)]
    [InlineData("IrqAffinity", 2)]
    [InlineData("DeferHardIrqs", -1)]
    [InlineData("GroFlushTimeoutNs", -1)]
    [InlineData("ReceiveBufferBytes", -1)]
    public void OtherBadOptions_NameTheOption(string option, int value)
    {
        var options = option switch
        {
            "Weight" => new UdpDeviceOptions { Weight = value },
            "MaxChannels" => new UdpDeviceOptions { Queues = 4, MaxChannels = value },
            "IrqAffinity" => new UdpDeviceOptions { IrqAffinity = [0, value] },
            "DeferHardIrqs" => new UdpDeviceOptions { DeferHardIrqs = value },
            "GroFlushTimeoutNs" => new UdpDeviceOptions { GroFlushTimeoutNs = value },
            _ => new UdpDeviceOptions { ReceiveBufferBytes = value },
        };
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => UdpDevice.Open(stack, options));

            Assert.Equal(option, ex.ParamName);
            Assert.Contains("between", ex.Message);
            Assert.Contains($"got {value}", ex.Message);
            Assert.Empty(stack.Devices);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>
    /// A second device with a taken name fails after its first socket was bound: that socket is closed again and the
    /// first device keeps working, the only one registered.
    /// </summary>
    [Fact]
    public void DuplicateName_FailsAfterBindingAndClosesTheSocket()
    {
        using var flows = new Flows(1, AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        var stack = UdpStacks.Create(recorder.Handle);
        try
        {
            var first = UdpDevice.Open(stack, new UdpDeviceOptions { Name = "udp7", Queues = 1 });
            first.Start();
            int port = FreePort();

            var ex = Assert.Throws<ArgumentException>(
                () => UdpDevice.Open(stack, new UdpDeviceOptions { Name = "udp7", Queues = 2, Bind = new IPEndPoint(IPAddress.Loopback, port) }));

            Assert.Contains("udp7", ex.Message);
            Assert.Same(first, Assert.Single(stack.Devices));
            AssertPortFree(IPAddress.Loopback, port);
            var buffer = new byte[Payload.Bytes];
            flows[0].SendTo(buffer, first.LocalEndPoint);
            Wait.Until(() => recorder.Delivered == 1, () => "the first device to keep receiving");
        }
        finally
        {
            stack.Dispose();
        }
        Assert.Empty(stack.Devices);
    }

    /// <summary>Dispose unregisters the device and closes every queue socket: the port can be bound plainly after.</summary>
    [Fact]
    public void DisposedDevice_IsUnregisteredAndItsPortIsFree()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 2 });
            dev.Start();
            var bound = dev.LocalEndPoint;
            Assert.Single(stack.Devices);

            dev.Dispose();

            Assert.Empty(stack.Devices);
            Assert.False(dev.IsUp);
            AssertPortFree(bound.Address, bound.Port);
        }
        finally
        {
            stack.Dispose();
        }
    }

    private static Socket PlainSocket(IPAddress ip) =>
        new(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);

    /// <summary>A port free right now on 127.0.0.1 (bound and released).</summary>
    private static int FreePort()
    {
        using var s = PlainSocket(IPAddress.Loopback);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>A plain socket (no SO_REUSEPORT) binds the port only if no device socket holds it.</summary>
    private static void AssertPortFree(IPAddress ip, int port)
    {
        using var probe = PlainSocket(ip);
        var error = Record.Exception(() => probe.Bind(new IPEndPoint(ip, port)));
        Assert.True(error is null, $"port {port} is still held: {error?.Message}");
    }
}
