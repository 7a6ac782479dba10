using System.Net;
using System.Net.Sockets;
using Softnet.Interop;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>
/// A device's reuseport group is its own: bound to port 0 it never lands in another process's group, and a fixed port
/// that another process's group holds is refused (EADDRINUSE naming the holder) unless sharing is asked for.
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class ReusePortOwnershipTests
{
    /// <summary>
    /// With thousands of ephemeral ports held by reuseport groups of a process of the same user, a kernel-picked port
    /// lands on one of them for a sizeable share of port-0 binds (5000 of the 28 232 default ephemeral ports: about 1 in
    /// 6, so 25 devices all missing them by chance is under 1 %); every device here must get a port of its own and
    /// receive every datagram sent to it.
    /// </summary>
    [PythonFact]
    public void PortZero_NeverJoinsAnotherProcesssGroup()
    {
        const int Devices = 25;
        const int PerDevice = 3;
        using var holder = new ReusePortHolder(groups: 5000, perGroup: 1);
        long delivered = 0;
        var stack = UdpStacks.Create((batch, cpu) => Interlocked.Add(ref delivered, batch.Length));
        try
        {
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var payload = new byte[16];
            for (int i = 0; i < Devices; i++)
            {
                using var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 2 });
                dev.Start();
                Assert.DoesNotContain(dev.LocalEndPoint.Port, holder.Ports);
                long before = Interlocked.Read(ref delivered);
                for (int k = 0; k < PerDevice; k++)
                    sender.SendTo(payload, dev.LocalEndPoint);
                Wait.Until(() => Interlocked.Read(ref delivered) == before + PerDevice,
                    () => $"device {i} on port {dev.LocalEndPoint.Port} to receive its {PerDevice} datagrams (got {Interlocked.Read(ref delivered) - before})");
            }
            Assert.Equal(Devices * PerDevice, Interlocked.Read(ref delivered));
        }
        finally
        {
            stack.Dispose();
        }
    }

    [PythonFact]
    public void FixedPortHeldByAnotherProcesssGroup_IsEaddrinuseNamingTheHolder()
    {
        using var holder = new ReusePortHolder(groups: 1, perGroup: 4);
        int port = holder.Ports.Single();
        var bind = new IPEndPoint(IPAddress.Loopback, port);
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var ex = Assert.Throws<SocketSetupException>(() => UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 2, Bind = bind }));

            Assert.Equal(Errno.EADDRINUSE, ex.ErrorCode);
            Assert.Contains($"bind 127.0.0.1:{port}: EADDRINUSE", ex.Message);
            Assert.Contains("4 sockets", ex.Message);
            Assert.Contains($"pid {holder.Pid} (python", ex.Message);
            Assert.Contains("ReusePortShare", ex.Message);
            Assert.Empty(stack.Devices);

            // The wildcard address overlaps the holder's 127.0.0.1 too.
            var any = Assert.Throws<SocketSetupException>(() => UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 1, Bind = new IPEndPoint(IPAddress.Any, port) }));
            Assert.Contains($"pid {holder.Pid}", any.Message);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>Sharing on purpose joins the group: the kernel's hash spreads datagrams over both owners, and no steering program is attached.</summary>
    [PythonFact]
    public void ReusePortShare_JoinsTheGroupOnPurpose()
    {
        using var holder = new ReusePortHolder(groups: 1, perGroup: 1);
        int port = holder.Ports.Single();
        long delivered = 0;
        var stack = UdpStacks.Create((batch, cpu) => Interlocked.Add(ref delivered, batch.Length));
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 1, Bind = new IPEndPoint(IPAddress.Loopback, port), ReusePortShare = true });
            dev.Start();

            Assert.Equal(port, dev.LocalEndPoint.Port);
            Assert.False(dev.CpuSteering);
            // Many source ports: the group's hash gives this device some of them.
            var sockets = Enumerable.Range(0, 64).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)).ToArray();
            try
            {
                foreach (var s in sockets)
                    s.SendTo(new byte[8], dev.LocalEndPoint);
                Wait.Until(() => Interlocked.Read(ref delivered) > 0, () => "the shared group to give the device some datagrams");
            }
            finally
            {
                foreach (var s in sockets)
                    s.Dispose();
            }
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Fact]
    public void ReusePortShare_WithPortZero_IsRefused()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var ex = Assert.Throws<ArgumentException>(() => UdpDevice.Open(stack, new UdpDeviceOptions { ReusePortShare = true }));
            Assert.Equal("ReusePortShare", ex.ParamName);
            Assert.Empty(stack.Devices);
        }
        finally
        {
            stack.Dispose();
        }
    }
}
