using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Overload;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Overload;

/// <summary>
/// Protected flows: the kernel's reuseport program sends a protected source's datagrams to the device's protected
/// queue, which has its own socket buffer, is polled first and is exempt from the CPU budget.
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class ProtectedFlowTests
{
    private const int Rounds = 200;
    private const int FloodPerRound = 100;

    /// <summary>
    /// One CPU, one queue with a 128 KiB buffer and a handler costing 50 µs per flood datagram; a flood of 20 000
    /// datagrams in bursts overflows the queue's socket, and between the bursts a protected source sends 200
    /// sequence-numbered datagrams. Every protected datagram reaches the handler from the protected queue (none of the
    /// flood does), in order, none is dropped, with the CPU budget on or off; the flood's losses are socket drops, and
    /// sent = delivered + counted drops.
    /// </summary>
    [Theory]
    [InlineData(OverloadMode.Off)]
    [InlineData(OverloadMode.Auto)]
    public void ProtectedSource_IsDelivered_WhileTheFloodOverflowsTheOtherQueue(OverloadMode mode)
    {
        long handled = 0, floodOnProtected = 0;
        var protectedSeen = new ConcurrentQueue<int>();
        using var floodSocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var protectedSocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        floodSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        protectedSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int protectedPort = ((IPEndPoint)protectedSocket.LocalEndPoint!).Port;
        var stack = new NetStack(
            new NetStackOptions { Cpus = 1, Overload = mode, OverloadCpuShare = 30, OverloadBudgetSlice = TimeSpan.FromMilliseconds(1) },
            (batch, _) =>
            {
                foreach (var p in batch)
                {
                    if (p.QueueIndex == UdpQueue.ProtectedQueue)
                    {
                        if (p.Data[0] == 0xF1)
                            Interlocked.Increment(ref floodOnProtected);
                        else
                            protectedSeen.Enqueue(BitConverter.ToInt32(p.Data));
                    }
                    else
                    {
                        Spin.For(TimeSpan.FromMicroseconds(50));
                    }
                }
                Interlocked.Add(ref handled, batch.Length);
            });
        long sent = 0;
        Devices.Udp.UdpDevice dev;
        UdpProtectedStats stats;
        try
        {
            dev = Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions
            {
                Queues = 1,
                ReceiveBufferBytes = 64 * 1024,
                Protected = [new ProtectedFlow(IPAddress.Loopback, 32, protectedPort, protectedPort)],
            });
            dev.Start();
            var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
            var flood = new byte[64];
            flood[0] = 0xF1;
            var seq = new byte[64];
            for (int round = 0; round < Rounds; round++)
            {
                for (int i = 0; i < FloodPerRound; i++)
                {
                    floodSocket.SendTo(flood, destination);
                    sent++;
                }
                BitConverter.TryWriteBytes(seq, round);
                protectedSocket.SendTo(seq, destination);
                sent++;
                Thread.Sleep(1);
            }
            Wait.Until(
                () => Volatile.Read(ref handled) + dev.ReadSocketDrops() >= sent,
                () => $"everything delivered or dropped: {handled} + {dev.ReadSocketDrops()} of {sent}");
            Wait.Until(() => protectedSeen.Count == Rounds, () => $"{protectedSeen.Count} of {Rounds} protected datagrams");
            // The queue counts a poll's packets when the poll returns, after its handler saw them.
            Wait.Until(() => dev.ProtectedStats!.Value.Received >= Rounds, () => $"{dev.ProtectedStats}");
            stats = dev.ProtectedStats!.Value;
        }
        finally
        {
            stack.Dispose();
        }

        var s = stack.Snapshot();
        Accounting.AssertAllAccounted(sent, handled, s);
        Assert.Equal(Enumerable.Range(0, Rounds), protectedSeen);
        Assert.Equal(0, Interlocked.Read(ref floodOnProtected));
        Assert.Equal(Rounds, stats.Received);
        Assert.Equal(0, stats.Dropped);
        Assert.True(s.Drops[DropReason.Socket] > 0, "the flood should have overflowed its queue's socket");
        Assert.Equal(s.Drops[DropReason.Socket], s.Dropped);
        if (mode == OverloadMode.Auto)
            Assert.True(stack.Cpus[0].Overload.Throttled > 0, $"the budget never bit: {stack.Cpus[0].Overload}");
    }

    /// <summary>A protected source's datagram is answered through <see cref="Devices.Udp.UdpDevice.Reply"/> and counted as replied.</summary>
    [Fact]
    public void ProtectedReplies_AreCounted()
    {
        Devices.Udp.UdpDevice? dev = null;
        var stack = new NetStack(new NetStackOptions { Cpus = 1 }, (batch, _) =>
        {
            foreach (var p in batch)
                dev!.Reply(p, p.Data);
        });
        try
        {
            dev = Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 1, Protected = [new ProtectedFlow(IPAddress.Loopback, 8)] });
            dev.Start();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.ReceiveTimeout = 10_000;
            var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
            var buffer = new byte[16];
            for (int i = 0; i < 5; i++)
            {
                client.SendTo(new byte[] { (byte)i }, destination);
                Assert.Equal(1, client.Receive(buffer));
                Assert.Equal(i, buffer[0]);
            }
            // The queue counts a batch's packets when the handler returns, which can be after the client has its reply.
            Wait.Until(() => dev.ProtectedStats!.Value is { Replied: 5, Received: 5 }, () => $"{dev.ProtectedStats}");
            Assert.All(dev.QueueStats, q => Assert.Equal(0, q.Packets));
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>
    /// A dual-stack device with an IPv4 and an IPv6 rule: the kernel program tells the families apart and reads each
    /// one's source address and port; datagrams from the protected ports of 127.0.0.1 and ::1 reach the protected
    /// queue, those from other ports of the same addresses the normal one.
    /// </summary>
    [Fact]
    public void IPv4AndIPv6Rules_SteerByFamilyAddressAndPort()
    {
        using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        using var other4 = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var other6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        v4.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        v6.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        other4.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        other6.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        int p4 = ((IPEndPoint)v4.LocalEndPoint!).Port, p6 = ((IPEndPoint)v6.LocalEndPoint!).Port;
        var seen = new ConcurrentQueue<(bool Protected, byte Tag)>();
        var stack = new NetStack(new NetStackOptions { Cpus = 1 }, (batch, _) =>
        {
            foreach (var p in batch)
                seen.Enqueue((p.QueueIndex == UdpQueue.ProtectedQueue, p.Data[0]));
        });
        try
        {
            var dev = Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions
            {
                Bind = new IPEndPoint(IPAddress.IPv6Any, 0),
                Queues = 2,
                Protected = [new ProtectedFlow(IPAddress.Parse("127.0.0.0"), 8, p4, p4), new ProtectedFlow(IPAddress.IPv6Loopback, 128, p6, p6)],
            });
            dev.Start();
            int port = dev.LocalEndPoint.Port;
            for (int i = 0; i < 10; i++)
            {
                v4.SendTo(new byte[] { 4 }, new IPEndPoint(IPAddress.Loopback, port));
                v6.SendTo(new byte[] { 6 }, new IPEndPoint(IPAddress.IPv6Loopback, port));
                other4.SendTo(new byte[] { 40 }, new IPEndPoint(IPAddress.Loopback, port));
                other6.SendTo(new byte[] { 60 }, new IPEndPoint(IPAddress.IPv6Loopback, port));
            }
            Wait.Until(() => seen.Count == 40, () => $"{seen.Count} of 40 datagrams");
        }
        finally
        {
            stack.Dispose();
        }

        Assert.All(seen, s => Assert.Equal(s.Tag is 4 or 6, s.Protected));
        Assert.Equal(20, seen.Count(s => s.Protected));
    }

    /// <summary>The protected queue follows the device down and up: datagrams reaching it while down are counted as device_down, after up they are delivered again.</summary>
    [Fact]
    public void ProtectedQueue_FollowsTheLinkState()
    {
        long handled = 0;
        var stack = new NetStack(new NetStackOptions { Cpus = 1 }, (batch, _) => Interlocked.Add(ref handled, batch.Length));
        Devices.Udp.UdpDevice dev;
        try
        {
            dev = Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 1, Protected = [new ProtectedFlow(IPAddress.Loopback, 32)] });
            dev.Start();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
            client.SendTo(new byte[8], destination);
            Wait.Until(() => Interlocked.Read(ref handled) == 1, () => $"delivered {handled}");
            dev.SetDown();
            for (int i = 0; i < 3; i++)
                client.SendTo(new byte[8], destination);
            Wait.Until(() => stack.Snapshot().Drops[DropReason.DeviceDown] == 3, () => $"device_down {stack.Snapshot().Drops[DropReason.DeviceDown]}");
            dev.SetUp();
            client.SendTo(new byte[8], destination);
            // The queue counts a poll's packets when the poll returns, after its handler saw them.
            Wait.Until(() => Interlocked.Read(ref handled) == 2 && dev.ProtectedStats!.Value.Received >= 2, () => $"delivered {handled}; {dev.ProtectedStats}");
            Assert.Equal(2, dev.ProtectedStats!.Value.Received);
        }
        finally
        {
            stack.Dispose();
        }
        Accounting.AssertAllAccounted(5, handled, stack.Snapshot());
    }

    /// <summary>The protected queue's interrupt follows its CPU offline and back, so the protected flow keeps being delivered.</summary>
    [Fact]
    public void ProtectedQueue_FollowsItsCpuThroughHotplug()
    {
        long handled = 0;
        var stack = new NetStack(new NetStackOptions { Cpus = 2 }, (batch, _) => Interlocked.Add(ref handled, batch.Length));
        try
        {
            var dev = Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 2, Protected = [new ProtectedFlow(IPAddress.Loopback, 32)] });
            dev.Start();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
            long expected = 0;
            void SendOne()
            {
                client.SendTo(new byte[8], destination);
                expected++;
                Wait.Until(() => Interlocked.Read(ref handled) == expected, () => $"delivered {handled} of {expected}");
            }

            SendOne();
            stack.SetCpuOffline(0);
            SendOne();
            stack.SetCpuOnline(0);
            SendOne();
            // The queue counts a poll's packets when the poll returns, after its handler saw them.
            Wait.Until(() => dev.ProtectedStats!.Value.Received >= 3, () => $"{dev.ProtectedStats}");
            Assert.Equal(3, dev.ProtectedStats!.Value.Received);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>
    /// The CPU taking the protected queue's interrupt counts it (what cuts the budgeted polls there short), through
    /// hotplug, a link going down and up, and until the stack is gone.
    /// </summary>
    [Fact]
    public void ProtectedQueue_IsCountedOnTheCpuThatTakesItsInterrupt()
    {
        var stack = new NetStack(new NetStackOptions { Cpus = 2 }, (_, _) => { });
        int[] Counts() => [Volatile.Read(ref stack.Cpu(0).ProtectedQueues), Volatile.Read(ref stack.Cpu(1).ProtectedQueues)];
        try
        {
            var dev = Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 2, Protected = [new ProtectedFlow(IPAddress.Loopback, 32)] });
            dev.Start();
            var napi = dev.IrqQueues.Single(n => n.Protected);
            int home = napi.IrqCpu!.Cpu;
            Assert.Equal(1, Counts()[home]);
            Assert.Equal(0, Counts()[1 - home]);

            stack.SetCpuOffline(home);
            Assert.Equal(1 - home, napi.IrqCpu!.Cpu);
            Assert.Equal(1, Counts()[1 - home]);
            Assert.Equal(0, Counts()[home]);
            stack.SetCpuOnline(home);
            Assert.Equal(1, Counts().Sum());

            dev.SetDown();
            Assert.Equal(1, Counts().Sum());
            dev.SetUp();
            Assert.Equal(1, Counts().Sum());
            Assert.Equal(1, Counts()[napi.IrqCpu!.Cpu]);
        }
        finally
        {
            stack.Dispose();
        }
        Assert.Equal([0, 0], Counts());
    }
}
