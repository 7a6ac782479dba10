using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>Multi-queue receive: every datagram is delivered or counted, flows keep their order, traffic spreads.</summary>
[Collection(UdpDeviceCollection.Name)]
public class ReceiveTests
{
    public ReceiveTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected ReceiveTests(UdpBackend backend) => TestBackend.Current = backend;

    private const int FlowCount = 16;
    private const int PerFlow = 500;

    public static TheoryData<KickMode, string, Family> Cases()
    {
        var data = new TheoryData<KickMode, string, Family>();
        foreach (var family in Enum.GetValues<Family>())
        {
            data.Add(KickMode.Softirq, "", family);
            data.Add(KickMode.Softirq, "all", family);
            data.Add(KickMode.BacklogThreads, "", family);
            data.Add(KickMode.BacklogThreads, "all", family);
        }
        return data;
    }

    /// <summary>
    /// Senders pinned to both CPUs, many source ports: after the stack is disposed, sent = delivered + drops; each
    /// flow arrived in order from its own port; with the CPU-steering program each CPU's traffic landed on its queue.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void ManyFlowsOnTwoQueues_AllAccountedAndInOrderPerFlow(KickMode mode, string rps, Family family)
    {
        using var flows = new Flows(FlowCount, family.SenderFamily());
        var recorder = new Recorder(flows.Ports);
        var cpus = Pinning.Allowed;
        bool exactSteering = false;
        long sent;
        IReadOnlyList<UdpQueueStats> stats;
        UdpDevice? dev = null;
        var stack = UdpStacks.Create(recorder.Handle, mode, rps);
        try
        {
            dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2, Bind = family.Bind() });
            dev.Start();
            exactSteering = dev.CpuSteering && cpus.Count >= 2 && Pinning.LoopbackReceivesOnSendingCpu();
            if (exactSteering)
                recorder.SteeringQueues = 2;
            var senders = new Senders(flows, family.Destination(dev.LocalEndPoint), () => recorder.Delivered, window: 512);
            senders.Run(threads: 4, PerFlow, t => cpus[t % cpus.Count]);
            sent = senders.Sent;
            exactSteering &= senders.AllPinned;
            Assert.Equal((long)FlowCount * PerFlow, sent);
            Wait.Settled(stack, recorder, sent);
            stats = dev.QueueStats;
        }
        finally
        {
            stack.Dispose();
        }

        var s = stack.Snapshot();
        Accounting.AssertAllAccounted(sent, recorder.Delivered, s);
        Assert.True(recorder.OutOfOrder == 0 && recorder.Foreign == 0, recorder.Describe());
        Assert.Equal(2, stats.Count);
        Assert.Equal([0, 1], stats.Select(q => q.IrqCpu));
        Assert.NotEqual(stats[0].NapiId, stats[1].NapiId);
        if (s.Dropped == 0)
        {
            // Read after dispose: a poll counts its packets only after it returned, i.e. after the handler saw them.
            var final = dev!.QueueStats;
            Assert.Equal(sent, final.Sum(q => q.Packets));
            Assert.Equal(recorder.OnQueue(0), final[0].Packets);
            Assert.Equal(recorder.OnQueue(1), final[1].Packets);
        }
        if (exactSteering)
        {
            // Pinned senders on both CPUs, the steering program in place: each datagram on its sender CPU's queue.
            Assert.True(recorder.WrongQueue == 0, recorder.Describe());
            Assert.True(recorder.OnQueue(0) > 0 && recorder.OnQueue(1) > 0, recorder.Describe());
        }
    }

    /// <summary>
    /// Without the steering program the kernel's reuseport flow hash picks the queue: 64 source ports from one
    /// unpinned thread spread over both queues (all on one would have odds of 2^-63), each flow staying in order.
    /// </summary>
    [Theory]
    [InlineData(Family.V4)]
    [InlineData(Family.V6)]
    [InlineData(Family.Dual)]
    public void WithoutCpuSteering_TheFlowHashSpreadsManySourcePortsOverBothQueues(Family family)
    {
        using var flows = new Flows(64, family.SenderFamily());
        var recorder = new Recorder(flows.Ports);
        long sent;
        IReadOnlyList<UdpQueueStats> stats;
        var stack = UdpStacks.Create(recorder.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2, Bind = family.Bind(), CpuSteering = false });
            Assert.False(dev.CpuSteering);
            dev.Start();
            var senders = new Senders(flows, family.Destination(dev.LocalEndPoint), () => recorder.Delivered, window: 512);
            senders.Run(threads: 1, perFlow: 50);
            sent = senders.Sent;
            Wait.Settled(stack, recorder, sent);
            stats = dev.QueueStats;
        }
        finally
        {
            stack.Dispose();
        }

        Accounting.AssertAllAccounted(sent, recorder.Delivered, stack.Snapshot());
        Assert.True(recorder.OutOfOrder == 0 && recorder.Foreign == 0, recorder.Describe());
        Assert.True(recorder.OnQueue(0) > 0 && recorder.OnQueue(1) > 0, recorder.Describe());
        Assert.All(stats, q => Assert.True(q.Polls > 0 && q.Packets > 0, q.ToString()));
    }

    /// <summary>A dual-stack device reports IPv4 senders as v4-mapped AF_INET6 sources with their own ports.</summary>
    [Fact]
    public void DualStack_SourcesAreV4MappedSockaddrIn6()
    {
        using var flows = new Flows(1, System.Net.Sockets.AddressFamily.InterNetwork);
        int family = -1, port = -1;
        byte[] mapped = [];
        using var got = new ManualResetEventSlim();
        var stack = UdpStacks.Create((batch, cpu) =>
        {
            var p = batch[0];
            family = Payload.AddressFamilyOf(p.SourceAddress);
            port = Payload.Port(p.SourceAddress);
            mapped = p.SourceAddress.Slice(8, 16).ToArray();
            got.Set();
        });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1, Bind = Family.Dual.Bind() });
            dev.Start();
            flows[0].SendTo(new byte[Payload.Bytes], Family.Dual.Destination(dev.LocalEndPoint));
            Wait.Set(got, "the datagram");
        }
        finally
        {
            stack.Dispose();
        }

        Assert.Equal(Interop.Libc.AF_INET6, family);
        Assert.Equal(flows.Ports[0], port);
        Assert.Equal(System.Net.IPAddress.Loopback.MapToIPv6().GetAddressBytes(), mapped);
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class ReceiveTestsIoUring : ReceiveTests
{
    public ReceiveTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
