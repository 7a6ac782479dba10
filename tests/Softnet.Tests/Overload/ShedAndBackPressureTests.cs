using System.Net;
using System.Net.Sockets;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Overload;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Overload;

/// <summary>
/// Policy auto's two ways of not reading what would be dropped: the kernel sheds a share of the datagrams before any
/// socket buffer while a queue is overloaded (counted as <c>shed</c>), and a queue is not read while the backlog it
/// feeds through RPS is over 75% full (its datagrams wait in, or overflow, its socket buffer: <c>socket</c>).
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class ShedAndBackPressureTests
{
    /// <summary>
    /// Floods of 3 000 datagrams in 100 ms against a 50 µs handler and a 64 KiB buffer, with 50% shedding: the queue
    /// goes overloaded, shedding starts and stops again, the shed datagrams are counted as <c>shed</c> (the shed
    /// socket's own drop count), the buffer overflows are <c>socket</c>, and sent = delivered + counted drops across
    /// every transition. With the device's policy off, nothing is shed.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData(OverloadMode.Off)]
    public void Shedding_FollowsOverload_AndIsCountedExactly(OverloadMode? devicePolicy)
    {
        long handled = 0, sent = 0;
        var stack = new NetStack(
            new NetStackOptions { Cpus = 1, Overload = OverloadMode.Auto, OverloadCpuShare = 50, OverloadBudgetSlice = TimeSpan.FromMilliseconds(1) },
            (batch, _) =>
            {
                Spin.For(TimeSpan.FromMicroseconds(50) * batch.Length);
                Interlocked.Add(ref handled, batch.Length);
            });
        Devices.Udp.UdpDevice dev;
        try
        {
            dev = Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions
            {
                Queues = 1,
                ReceiveBufferBytes = 64 * 1024,
                ShedShare = 50,
                Overload = devicePolicy,
            });
            dev.Start();
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
            var payload = new byte[64];
            for (int burst = 0; burst < 3; burst++)
            {
                for (int ms = 0; ms < 100; ms++)
                {
                    for (int i = 0; i < 30; i++)
                    {
                        sender.SendTo(payload, destination);
                        sent++;
                    }
                    Thread.Sleep(1);
                }
                Wait.Until(
                    () => Volatile.Read(ref handled) + dev.ReadSocketDrops() + dev.ShedDrops >= sent,
                    () => $"burst {burst} delivered or dropped: {handled} + {dev.ReadSocketDrops()} + {dev.ShedDrops} of {sent}");
                Thread.Sleep(100);
            }
            if (devicePolicy is null)
                Wait.Until(() => !dev.Shedding && dev.ShedEpisodes > 0, () => $"shedding to have started and stopped: episodes {dev.ShedEpisodes}, shedding {dev.Shedding}");
        }
        finally
        {
            stack.Dispose();
        }

        var s = stack.Snapshot();
        Accounting.AssertAllAccounted(sent, handled, s);
        Assert.Equal(s.Drops[DropReason.Shed], dev.ShedDrops);
        Assert.Equal(s.Dropped, s.Drops[DropReason.Shed] + s.Drops[DropReason.Socket]);
        if (devicePolicy is null)
            Assert.True(s.Drops[DropReason.Shed] > 0, "nothing was shed");
        else
            Assert.Equal(0, s.Drops[DropReason.Shed] + dev.ShedEpisodes);
    }

    /// <summary>
    /// RPS sends queue 0's datagrams to CPU 1, whose handler costs 100 µs each, with netdev_max_backlog 200. With
    /// policy auto the queue is held back while that backlog is over 150 (counted per queue), so the backlog never
    /// overflows and the excess is left in the socket: no <c>backlog</c> drops, only <c>socket</c> ones. With off it
    /// is never held back, nor is a device whose own policy is off under a stack in auto. Either way sent = delivered +
    /// counted drops.
    /// </summary>
    [Theory]
    [InlineData(OverloadMode.Auto, null)]
    [InlineData(OverloadMode.Off, null)]
    [InlineData(OverloadMode.Auto, OverloadMode.Off)]
    public void AFullBacklog_HoldsItsQueueBack(OverloadMode mode, OverloadMode? devicePolicy)
    {
        long handled = 0, sent = 0;
        var stack = new NetStack(
            new NetStackOptions { Cpus = 2, Overload = mode, OverloadCpuShare = 100, OverloadBudgetSlice = TimeSpan.FromMilliseconds(1), NetdevMaxBacklog = 200, RpsCpus = "2" },
            (batch, _) =>
            {
                Spin.For(TimeSpan.FromMicroseconds(100) * batch.Length);
                Interlocked.Add(ref handled, batch.Length);
            });
        Devices.Udp.UdpDevice dev;
        try
        {
            dev = Devices.Udp.UdpDevice.Open(stack, new UdpDeviceOptions { Queues = 1, ReceiveBufferBytes = 256 * 1024, Overload = devicePolicy });
            dev.Start();
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
            var payload = new byte[64];
            for (int ms = 0; ms < 100; ms++)
            {
                // Many flows, so RPS spreads nothing away from CPU 1: the map has only that CPU.
                for (int i = 0; i < 30; i++)
                {
                    sender.SendTo(payload, destination);
                    sent++;
                }
                Thread.Sleep(1);
            }
            // Socket drops are read from the kernel, the rest from the stack (which counts socket drops only as reported).
            Wait.Until(
                () => Volatile.Read(ref handled) + StackDrops(stack) + dev.ReadSocketDrops() >= sent,
                () => $"delivered or dropped: {handled} + {StackDrops(stack)} + {dev.ReadSocketDrops()} of {sent}");
        }
        finally
        {
            stack.Dispose();
        }

        var s = stack.Snapshot();
        Accounting.AssertAllAccounted(sent, handled, s);
        long heldBack = dev.QueueStats.Sum(q => q.HeldBack);
        Assert.Equal(devicePolicy ?? mode, dev.Policy);
        if (dev.Policy == OverloadMode.Auto)
        {
            Assert.True(heldBack > 0, "the queue was never held back");
            Assert.Equal(0, s.Drops[DropReason.Backlog]);
        }
        else
        {
            Assert.Equal(0, heldBack);
            Assert.True(s.Drops[DropReason.Backlog] > 0, "the backlog should have overflowed without back-pressure");
        }
    }

    private static long StackDrops(NetStack stack)
    {
        var s = stack.Snapshot();
        return s.Dropped - s.Drops[DropReason.Socket];
    }
}
