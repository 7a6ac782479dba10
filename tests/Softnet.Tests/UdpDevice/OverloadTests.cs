using System.Net.Sockets;
using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>Socket overflow: the kernel's drops at a full receive buffer show up as drop reason socket, and add up.</summary>
[Collection(UdpDeviceCollection.Name)]
public class OverloadTests
{
    public OverloadTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected OverloadTests(UdpBackend backend) => TestBackend.Current = backend;

    /// <summary>
    /// A 4 KiB receive buffer and a handler stuck in its first batch while 3000 datagrams arrive: most of them
    /// overflow the socket. After the release and the dispose, drops of reason socket match the kernel's count
    /// (/proc/net/udp), the device's rx_dropped, and sent = delivered + drops. With RPS the datagrams go to the
    /// backlog of CPU 0, the queue's own CPU, so the blocked handler holds up the queue's poll there too.
    /// </summary>
    [Theory]
    [InlineData(KickMode.Softirq, "", Family.V4)]
    [InlineData(KickMode.BacklogThreads, "1", Family.Dual)]
    [InlineData(KickMode.Softirq, "1", Family.V6)]
    public void TinyReceiveBuffer_OverflowIsCountedAsSocketDrops(KickMode mode, string rps, Family family)
    {
        const int burst = 3000;
        using var flows = new Flows(4, family.SenderFamily());
        var recorder = new Recorder(flows.Ports);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int calls = 0;
        long sent = 0, kernelDrops, socketDropsInStats;
        UdpDevice? dev = null;
        int effectiveBuffer;
        var stack = UdpStacks.Create(
            (batch, cpu) =>
            {
                recorder.Handle(batch, cpu);
                if (Interlocked.Increment(ref calls) == 1)
                {
                    entered.Set();
                    release.Wait(Wait.Patience);
                }
            },
            mode,
            rps);
        try
        {
            dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1, Bind = family.Bind(), ReceiveBufferBytes = 4096 });
            effectiveBuffer = dev.ReceiveBufferBytes;
            dev.Start();
            var destination = family.Destination(dev.LocalEndPoint);
            var buffer = new byte[Payload.Bytes];
            var seq = new int[flows.Count];
            Payload.Write(buffer, 0, seq[0]++, 0);
            flows[0].SendTo(buffer, destination);
            sent++;
            Wait.Set(entered, "the handler to block on the first batch");
            for (int i = 0; i < burst; i++)
            {
                int flow = i % flows.Count;
                Payload.Write(buffer, flow, seq[flow]++, 0);
                flows[flow].SendTo(buffer, destination);
                sent++;
            }
            Assert.True(dev.ReadSocketDrops() > 0, "the burst should have overflowed the socket before the release");
            release.Set();
            Wait.Until(
                () => recorder.Delivered + dev.ReadSocketDrops() + stack.Snapshot().Dropped - stack.Snapshot().Drops[DropReason.Socket] >= sent,
                () => $"the rest to be delivered: {recorder.Describe()}, kernel drops {dev.ReadSocketDrops()}");
            kernelDrops = dev.ReadSocketDrops();
            socketDropsInStats = dev.QueueStats.Sum(q => q.SocketDrops);
        }
        finally
        {
            release.Set();
            stack.Dispose();
        }

        var s = stack.Snapshot();
        Assert.True(effectiveBuffer < 64 * 1024, $"receive buffer {effectiveBuffer}");
        Assert.True(s.Drops[DropReason.Socket] > 0, "no socket drops recorded");
        Assert.Equal(kernelDrops, s.Drops[DropReason.Socket]);
        Assert.True(socketDropsInStats <= kernelDrops);
        Assert.Equal(sent, recorder.Delivered + kernelDrops);
        Accounting.AssertAllAccounted(sent, recorder.Delivered, s);
        Assert.Equal(s.Drops[DropReason.Socket], s.Dropped);
        Assert.Equal(kernelDrops, dev.RxDropped);
        Assert.True(recorder.OutOfOrder == 0 && recorder.Foreign == 0, recorder.Describe());
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class OverloadTestsIoUring : OverloadTests
{
    public OverloadTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
