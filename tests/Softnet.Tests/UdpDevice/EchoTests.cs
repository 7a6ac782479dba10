using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>Replies from the handler: each datagram comes back to the socket that sent it, and TX counts them.</summary>
[Collection(UdpDeviceCollection.Name)]
public class EchoTests
{
    public EchoTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected EchoTests(UdpBackend backend) => TestBackend.Current = backend;

    private const int FlowCount = 8;
    private const int PerFlow = 250;

    [Theory]
    [InlineData(KickMode.Softirq, "", Family.V4)]
    [InlineData(KickMode.Softirq, "all", Family.V6)]
    [InlineData(KickMode.BacklogThreads, "", Family.Dual)]
    [InlineData(KickMode.BacklogThreads, "all", Family.V4)]
    public void EchoHandler_EveryDatagramComesBackToItsSender(KickMode mode, string rps, Family family)
    {
        using var flows = new Flows(FlowCount, family.SenderFamily(), receiveBufferBytes: 1 << 20);
        var recorder = new Recorder(flows.Ports);
        UdpDevice? dev = null;
        long replyFailures = 0;
        var stack = UdpStacks.Create(
            (batch, cpu) =>
            {
                recorder.Handle(batch, cpu);
                foreach (var p in batch)
                {
                    if (!dev!.Reply(p, p.Data))
                        Interlocked.Increment(ref replyFailures);
                }
            },
            mode,
            rps);
        long sent;
        long[] replies = new long[FlowCount];
        long duplicates = 0, strangers = 0;
        try
        {
            dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2, Bind = family.Bind() });
            dev.Start();
            var senders = new Senders(flows, family.Destination(dev.LocalEndPoint), () => recorder.Delivered, window: 256);
            senders.Run(threads: 2, PerFlow, t => Pinning.Allowed[t % Pinning.Allowed.Count]);
            sent = senders.Sent;

            // The replies, read back on the sockets that sent the requests: bounded in count and time.
            var expectedFrom = family.Destination(dev.LocalEndPoint);
            var buffer = new byte[256];
            for (int flow = 0; flow < FlowCount; flow++)
            {
                var seen = new bool[PerFlow];
                var socket = flows[flow];
                var clock = Stopwatch.StartNew();
                while (replies[flow] < PerFlow && clock.Elapsed < Wait.Patience)
                {
                    if (!socket.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead))
                        continue;
                    EndPoint from = new IPEndPoint(family == Family.V6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                    int n = socket.ReceiveFrom(buffer, ref from);
                    var source = (IPEndPoint)from;
                    if (n != Payload.Bytes || Payload.Flow(buffer) != flow || !source.Equals(expectedFrom))
                    {
                        strangers++;
                        continue;
                    }
                    int seq = Payload.Seq(buffer);
                    if (seen[seq])
                        duplicates++;
                    seen[seq] = true;
                    replies[flow]++;
                }
            }
        }
        finally
        {
            stack.Dispose();
        }

        // Read once the stack's threads are joined: a reply can reach its sender before sendmmsg's count is added.
        long txPackets = dev.TxPackets, txDropped = dev.TxDropped;

        Assert.Equal((long)FlowCount * PerFlow, sent);
        Accounting.AssertAllAccounted(sent, recorder.Delivered, stack.Snapshot());
        Assert.Equal(sent, recorder.Delivered);
        Assert.Equal(0, Interlocked.Read(ref replyFailures));
        Assert.Equal(0, duplicates);
        Assert.Equal(0, strangers);
        Assert.All(replies, r => Assert.Equal(PerFlow, r));
        Assert.Equal(sent, txPackets);
        Assert.Equal(0, txDropped);
    }

    /// <summary>Reply is for NAPI context: from any other thread it throws instead of touching a CPU's TX batch.</summary>
    [Fact]
    public void ReplyOutsideTheHandler_Throws()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            var packet = new Packet(new PacketPool(0, 2048, 0, 64, 0), 2048);
            Assert.Throws<InvalidOperationException>(() => dev.Reply(packet, "x"u8));
            Assert.Equal(0, dev.TxPackets);
            Assert.Equal(0, dev.TxDropped);
        }
        finally
        {
            stack.Dispose();
        }
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class EchoTestsIoUring : EchoTests
{
    public EchoTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
