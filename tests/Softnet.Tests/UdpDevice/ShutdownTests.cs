using System.Net.Sockets;
using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>Start and shutdown: what waits in the sockets is delivered or counted, never silently lost.</summary>
[Collection(UdpDeviceCollection.Name)]
public class ShutdownTests
{
    public ShutdownTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected ShutdownTests(UdpBackend backend) => TestBackend.Current = backend;

    /// <summary>
    /// Before Start the device polls nothing: datagrams wait in the socket buffers (the kernel holds them) and the
    /// handler sees none; Start unmasks the interrupts and they all arrive, in order.
    /// </summary>
    [Fact]
    public void BeforeStart_DatagramsWaitInTheSocket_AndStartDeliversThem()
    {
        const int count = 200;
        using var flows = new Flows(1, AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        long queuedBeforeStart, deliveredBeforeStart;
        var stack = UdpStacks.Create(recorder.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            Assert.False(dev.IsUp);
            Assert.Empty(dev.Napis);
            var buffer = new byte[Payload.Bytes];
            for (int seq = 0; seq < count; seq++)
            {
                Payload.Write(buffer, 0, seq, 0);
                flows[0].SendTo(buffer, dev.LocalEndPoint);
            }
            Wait.Until(() => ProcUdp.RxQueueBytes(dev.LocalEndPoint.Port) > 0, () => "the datagrams to be queued on the socket");
            Thread.Sleep(20);
            queuedBeforeStart = ProcUdp.RxQueueBytes(dev.LocalEndPoint.Port);
            deliveredBeforeStart = recorder.Delivered;

            dev.Start();

            Assert.True(dev.IsUp);
            Wait.Until(() => recorder.Delivered == count, () => recorder.Describe());
        }
        finally
        {
            stack.Dispose();
        }

        Assert.Equal(0, deliveredBeforeStart);
        Assert.True(queuedBeforeStart > 0);
        Assert.True(recorder.OutOfOrder == 0 && recorder.Foreign == 0, recorder.Describe());
        Accounting.AssertAllAccounted(count, recorder.Delivered, stack.Snapshot());
    }

    /// <summary>
    /// Disposing the stack closes the device: whatever still waits in its sockets — here a device never started,
    /// and a started one whose handler was slow — is drained into the stack and delivered or counted.
    /// </summary>
    [Theory]
    [InlineData(false, KickMode.Softirq, "")]
    [InlineData(false, KickMode.BacklogThreads, "all")]
    [InlineData(true, KickMode.Softirq, "all")]
    public void Dispose_DrainsTheSocketsIntoTheStack(bool start, KickMode mode, string rps)
    {
        const int perFlow = 100;
        using var flows = new Flows(8, AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        long sent = 0;
        var stack = UdpStacks.Create(
            (batch, cpu) =>
            {
                recorder.Handle(batch, cpu);
                Thread.Sleep(1);
            },
            mode,
            rps);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2, CpuSteering = false });
            if (start)
                dev.Start();
            var buffer = new byte[Payload.Bytes];
            for (int seq = 0; seq < perFlow; seq++)
            {
                for (int flow = 0; flow < flows.Count; flow++)
                {
                    Payload.Write(buffer, flow, seq, 0);
                    flows[flow].SendTo(buffer, dev.LocalEndPoint);
                    sent++;
                }
            }
            Wait.Until(() => ProcUdp.RxQueueBytes(dev.LocalEndPoint.Port) > 0 || recorder.Delivered > 0, () => "the datagrams to arrive");
        }
        finally
        {
            stack.Dispose();
        }

        var s = stack.Snapshot();
        Accounting.AssertAllAccounted(sent, recorder.Delivered, s);
        Assert.True(recorder.OutOfOrder == 0 && recorder.Foreign == 0, recorder.Describe());
        Assert.Empty(stack.Devices);
    }

    /// <summary>
    /// A handler replying from RPS backlog processing that runs after the device was closed (stack disposal delivers
    /// the backlogs after closing the devices): the reply cannot be sent and should count as a TX drop.
    /// </summary>
    /// <remarks>
    /// Today it crashes the process. UdpDevice.Close disposes each CPU's UdpTx (freeing its native MessageBatch)
    /// but leaves it in <c>_tx</c>; Reply then writes into the freed batch (UdpTx.Add → MessageBatch.SetBuffer and
    /// SetDestination: a use-after-free of native memory) and the end-of-round FlushTx throws ObjectDisposedException
    /// from MessageBatch.Send on the softirq thread, which is unhandled.
    /// </remarks>
    [Fact]
    public void ReplyAfterTheDeviceClosed_IsATxDrop()
    {
        using var flows = new Flows(1, AddressFamily.InterNetwork);
        UdpDevice? dev = null;
        int calls = 0;
        long handled = 0;
        using var blocked = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        // RPS sends everything to CPU 1's backlog; the queue's interrupt is on CPU 0.
        var stack = UdpStacks.Create(
            (batch, cpu) =>
            {
                if (Interlocked.Increment(ref calls) == 2)
                {
                    blocked.Set();
                    release.Wait(Wait.Patience);
                }
                foreach (var p in batch)
                    dev!.Reply(p, p.Data);
                Interlocked.Add(ref handled, batch.Length);
            },
            KickMode.Softirq,
            rps: "2");
        Thread? disposer = null;
        try
        {
            dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            dev.Start();
            var buffer = new byte[Payload.Bytes];
            flows[0].SendTo(buffer, dev.LocalEndPoint);
            Wait.Until(() => Volatile.Read(ref calls) == 1 && dev.TxPackets == 1, () => "the first reply (creates CPU 1's TX batch)");
            flows[0].SendTo(buffer, dev.LocalEndPoint);
            Wait.Set(blocked, "the handler to block on the second datagram");
            for (int i = 0; i < 10; i++)
                flows[0].SendTo(buffer, dev.LocalEndPoint);
            Wait.Until(() => ProcUdp.RxQueueBytes(dev.LocalEndPoint.Port) > 0 || stack.Snapshot().Cpus[1].InputQueueLength > 0, () => "more datagrams");

            disposer = new Thread(stack.Dispose) { IsBackground = true };
            disposer.Start();
            Wait.Until(() => stack.Devices.Count == 0, () => "the device to be closed");
            release.Set();
            Assert.True(disposer.Join(Wait.Patience), "Dispose did not finish");
        }
        finally
        {
            release.Set();
            if (disposer is null)
                stack.Dispose();
        }

        Assert.Equal(1, dev.TxPackets);
        Assert.Equal(11, dev.TxDropped);
        Assert.Equal(11, dev.TxDropCount(TxDropReason.DeviceClosed));
        Accounting.AssertAllAccounted(12, Interlocked.Read(ref handled), stack.Snapshot());
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class ShutdownTestsIoUring : ShutdownTests
{
    public ShutdownTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
