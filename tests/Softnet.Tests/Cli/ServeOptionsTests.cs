using System.Net;
using Softnet.Cli.Options;
using Softnet.Cli.Udp;
using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Tests.Cli;

/// <summary><c>softnet serve</c>'s options: addresses with their port written out, the shared NAPI ranges, the datagram limit.</summary>
public sealed class ServeOptionsTests
{
    [Theory]
    [InlineData("[::1]")]
    [InlineData("::1")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]:")]
    [InlineData("localhost:9000")]
    public void ABindAddressWithoutItsPortIsRefused(string bind)
    {
        var e = Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", bind]));
        Assert.Contains("--bind must be ADDR:PORT", e.Message);
        Assert.Contains(bind, e.Message);
    }

    [Fact]
    public void ExplicitPortsAndMappedHttpAddressesAreTaken()
    {
        var o = ServeOptions.Parse(["--bind", "[::1]:0", "--admin-http", "[::ffff:127.0.0.1]:9100", "--metrics-http", "127.0.0.1:9101"]);

        Assert.Equal(IPEndPoint.Parse("[::1]:0"), o.Bind);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9100"), o.AdminHttp);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9101"), o.MetricsHttp);
    }

    [Fact]
    public void NapiSettingsUseTheLibrarysRanges()
    {
        Assert.Equal(NapiConfigRanges.GroFlushTimeoutNs.Max, ServeOptions.Parse(["--bind", "127.0.0.1:1", "--gro-flush-timeout", "10000000000"]).GroFlushTimeoutNs);
        var e = Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", "127.0.0.1:1", "--gro-flush-timeout", "10000000001"]));
        Assert.Contains("10000000000", e.Message);
        Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", "127.0.0.1:1", "--defer-hard-irqs", "2147483648"]));
    }

    [Fact]
    public void MaxDatagramGoesUpToTheLargestUdpPayload()
    {
        Assert.Equal(2048, ServeOptions.Parse(["--bind", "127.0.0.1:1"]).MaxDatagram);
        Assert.Equal(65507, ServeOptions.Parse(["--bind", "127.0.0.1:1", "--max-datagram", "65507"]).MaxDatagram);
        var e = Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", "127.0.0.1:1", "--max-datagram", "65508"]));
        Assert.Contains("--max-datagram", e.Message);
        Assert.Contains("65507", e.Message);
    }

    [Fact]
    public void ReceiveBufferDefaultsToTheDevicesAndIsChecked()
    {
        Assert.Equal(new UdpDeviceOptions().ReceiveBufferBytes, ServeOptions.Parse(["--bind", "127.0.0.1:1"]).ReceiveBufferBytes);
        Assert.Equal(1 << 20, ServeOptions.Parse(["--bind", "127.0.0.1:1", "--rcvbuf", "1048576"]).ReceiveBufferBytes);
        var e = Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", "127.0.0.1:1", "--rcvbuf", "100"]));
        Assert.Contains("--rcvbuf", e.Message);
        Assert.Contains("4096", e.Message);
    }

    [Fact]
    public void AdminOptionsThatCannotWorkTogetherAreRefused()
    {
        Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", "127.0.0.1:1", "--admin-token-file", "/x"]));
        Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", "127.0.0.1:1", "--no-admin", "--admin-http", "127.0.0.1:9"]));
    }

    [Fact]
    public void MoreStackCpusThanTheMachineCostPoolsAndProducersOfTheMachineOnly()
    {
        var o = RunOptions.Parse(["--device", "loopback", "--cpus", "1024"]);
        var stack = o.ToStackOptions(_ => { });

        Assert.Equal(Math.Min(1024, Environment.ProcessorCount), o.ProducerCount);
        Assert.Equal(64, stack.PacketPoolSize);
        Assert.Equal(2048, PoolSizing.PacketsPerCpu(Environment.ProcessorCount, 2048, 2048));
        Assert.Equal(64, PoolSizing.PacketsPerCpu(Environment.ProcessorCount, 65507, 2048));
    }

    [Fact]
    public void AUdpDeviceOnMoreCpusThanQueuesCanHaveCapsItsQueues()
    {
        using var stack = new NetStack(new NetStackOptions { Cpus = 300, Pin = false, PacketPoolSize = 64, Log = _ => { } }, (_, _) => { });
        var device = Softnet.Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions());

        Assert.Equal(UdpDeviceOptions.MaxQueues, device.QueueCount);
        Assert.Equal(UdpDeviceOptions.MaxQueues, device.MaxChannels);
    }
}
