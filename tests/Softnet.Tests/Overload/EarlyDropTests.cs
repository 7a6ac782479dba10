using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;
using Softnet.Overload;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Overload;

/// <summary>The device's early-drop filter: decided in the poll on source and payload, counted as early_drop, never seen by the handler.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class EarlyDropTests
{
    /// <summary>
    /// Two senders, one of them unwanted, and datagrams marked 0xFF in their first byte: the filter drops by source
    /// port and by first byte. The handler sees only the rest; the dropped ones are early_drop (and rx_dropped), and
    /// sent = delivered + early_drop. With RPS on, the filter still runs first, in the queue's poll.
    /// </summary>
    [Theory]
    [InlineData(KickMode.Softirq, "")]
    [InlineData(KickMode.BacklogThreads, "all")]
    public void TheFilter_DropsBySourceAndPayload_BeforeTheHandler(KickMode mode, string rps)
    {
        using var wanted = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var unwanted = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        wanted.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        unwanted.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int unwantedPort = ((IPEndPoint)unwanted.LocalEndPoint!).Port;
        long handled = 0, leaked = 0;
        var stack = UdpStacks.Create(
            (batch, _) =>
            {
                foreach (var p in batch)
                {
                    if (p.Data[0] == 0xFF || Payload.Port(p.SourceAddress) == unwantedPort)
                        Interlocked.Increment(ref leaked);
                }
                Interlocked.Add(ref handled, batch.Length);
            },
            mode,
            rps);
        const int Each = 300;
        Devices.Udp.UdpDevice dev;
        try
        {
            dev = Devices.Udp.UdpDevice.Open(stack, new Devices.Udp.UdpDeviceOptions
            {
                Queues = 2,
                EarlyDrop = (source, payload, _) => payload[0] == 0xFF || Payload.Port(source) == unwantedPort,
            });
            dev.Start();
            var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
            var good = new byte[16];
            var marked = new byte[16];
            marked[0] = 0xFF;
            for (int i = 0; i < Each; i++)
            {
                wanted.SendTo(good, destination);
                wanted.SendTo(marked, destination);
                unwanted.SendTo(good, destination);
            }
            Wait.Until(() => Volatile.Read(ref handled) + stack.Snapshot().Dropped >= 3 * Each, () => $"every datagram to be handled or dropped: {handled}, {stack.Snapshot().Dropped}");
        }
        finally
        {
            stack.Dispose();
        }

        var s = stack.Snapshot();
        Assert.Equal(0, leaked);
        Assert.Equal(Each, handled);
        Assert.Equal(2 * Each, s.Drops[DropReason.EarlyDrop]);
        Assert.Equal(2 * Each, dev.RxDropped);
        Accounting.AssertAllAccounted(3 * Each, handled, s);
    }

    [Fact]
    public void AThrowingFilter_KeepsTheDatagram_AndIsLoggedOnce()
    {
        var log = new ConcurrentQueue<string>();
        long handled = 0;
        var stack = new NetStack(new NetStackOptions { Cpus = 2, Log = log.Enqueue }, (batch, _) => Interlocked.Add(ref handled, batch.Length));
        try
        {
            var dev = Devices.Udp.UdpDevice.Open(stack, new Devices.Udp.UdpDeviceOptions
            {
                Queues = 1,
                EarlyDrop = static (_, _, _) => throw new InvalidOperationException("filter bug"),
            });
            dev.Start();
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            for (int i = 0; i < 50; i++)
                sender.SendTo(new byte[8], new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port));
            Wait.Until(() => Volatile.Read(ref handled) == 50, () => $"all 50 to be delivered: {handled}");
        }
        finally
        {
            stack.Dispose();
        }
        Assert.Equal(0, stack.Snapshot().Dropped);
        Assert.Single(log, l => l.Contains("early-drop filter threw InvalidOperationException: filter bug", StringComparison.Ordinal));
    }
}
