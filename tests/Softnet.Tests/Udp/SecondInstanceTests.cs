using System.Net;
using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Tests.Udp;

/// <summary>A second device on a port already in use is refused, instead of joining the reuseport group and taking a share of its datagrams.</summary>
public sealed class SecondInstanceTests
{
    [Fact]
    public void ASecondDeviceOnTheSamePortIsRefused()
    {
        using var stack = new NetStack(new NetStackOptions { Cpus = 2, Pin = false, Log = _ => { } }, (_, _) => { });
        var first = Softnet.Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions { Name = "udp0", Queues = 2 });

        var e = Assert.Throws<SocketSetupException>(() => Softnet.Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions { Name = "udp1", Bind = first.LocalEndPoint, Queues = 2 }));

        Assert.Equal("EADDRINUSE", e.ErrorName);
        Assert.Contains(first.LocalEndPoint.ToString(), e.Message);
        Assert.Equal(2, first.QueueCount);
        Assert.Single(stack.Devices, d => d.Name.StartsWith("udp", StringComparison.Ordinal));
    }
}
