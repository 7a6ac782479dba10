using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>ethtool -L on a UDP device while senders stream: nothing accounted is lost, NAPI ids persist.</summary>
[Collection(UdpDeviceCollection.Name)]
public class ChannelTests
{
    public ChannelTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected ChannelTests(UdpBackend backend) => TestBackend.Current = backend;

    /// <summary>
    /// 2 → 1 → 2 queues, twice, under streaming traffic from senders pinned to both CPUs (with CPU steering each
    /// CPU's traffic has its own queue). QueueCount, the NAPIs and the RX queues follow; the NAPI ids of queues 0 and
    /// 1 are the ones they had before (napi_config); the restored queue 1 receives again; after dispose, sent =
    /// delivered + drops. On IPv6, where the kernel appends reuseport sockets to its lookup chain, so that closing the
    /// leaving socket does not disturb lookups for the others (the IPv4 case is below).
    /// </summary>
    [Theory]
    [InlineData(KickMode.Softirq, "")]
    [InlineData(KickMode.BacklogThreads, "all")]
    public void ShrinkAndRestoreUnderTraffic_LoseNothingAndKeepNapiIds(KickMode mode, string rps) =>
        ShrinkAndRestore(mode, rps, Family.V6, cpuSteering: true, cycles: 2);

    /// <summary>
    /// The same on IPv4. The kernel puts a newer IPv4 reuseport socket at the head of its lookup chain; while the
    /// leaving socket is being closed it is already detached from the group but still found first, so datagrams
    /// steered to queue 0 land in it and vanish with it: about one shrink in ten loses datagrams, uncounted. (The
    /// steering grace period before the drain does not help: the loss happens during close(), after the drain.)
    /// </summary>
    [Fact]
    public void ShrinkAndRestoreUnderTraffic_IPv4_LoseNothing() =>
        ShrinkAndRestore(KickMode.Softirq, "", Family.V4, cpuSteering: true, cycles: 10);

    /// <summary>
    /// Without the steering program nothing could take a leaving socket out of the kernel's reuseport hash, so a
    /// running device refuses to change channels, saying why, and keeps its queues, which go on receiving.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void WithoutCpuSteering_ChangingChannelsWhileUpIsRefused(int rx)
    {
        using var flows = new Flows(64, System.Net.Sockets.AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        long sent;
        var stack = UdpStacks.Create(recorder.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = rx == 1 ? 2 : 1, CpuSteering = false });
            dev.Start();
            int before = dev.QueueCount;

            var ex = Assert.Throws<NotSupportedException>(() => dev.SetChannels(rx));

            Assert.Contains("steering", ex.Message);
            Assert.Equal(before, dev.QueueCount);
            Assert.Equal(before, dev.Napis.Count);
            Assert.Equal(before, dev.RxQueues.Count);
            var senders = new Senders(flows, dev.LocalEndPoint, () => recorder.Delivered, window: 512);
            senders.Run(threads: 1, perFlow: 10);
            sent = senders.Sent;
            Wait.Until(() => recorder.Delivered == sent, () => recorder.Describe());
            for (int q = 0; q < before; q++)
                Assert.True(recorder.OnQueue(q) > 0, recorder.Describe());
        }
        finally
        {
            stack.Dispose();
        }

        Accounting.AssertAllAccounted(sent, recorder.Delivered, stack.Snapshot());
    }

    /// <summary>SetChannels takes 1 to MaxChannels; the device keeps its queues when refused.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void SetChannelsOutOfRange_NamesTheRange(int rx)
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2 });
            dev.Start();
            Assert.Equal(2, dev.MaxChannels);

            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => dev.SetChannels(rx));

            Assert.Contains("between 1 and 2", ex.Message);
            Assert.Equal(2, dev.QueueCount);
            Assert.Equal(2, dev.Napis.Count);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>Channels changed before Start: the queues come up as configured when the device starts.</summary>
    [Fact]
    public void SetChannelsBeforeStart_StartsTheConfiguredQueues()
    {
        using var flows = new Flows(64, System.Net.Sockets.AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        long sent;
        IReadOnlyList<UdpQueueStats> stats;
        var stack = UdpStacks.Create(recorder.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1, CpuSteering = false });
            dev.SetChannels(2);
            Assert.Equal(2, dev.QueueCount);
            Assert.Empty(dev.Napis);
            dev.Start();
            Assert.Equal(2, dev.Napis.Count);
            var senders = new Senders(flows, dev.LocalEndPoint, () => recorder.Delivered, window: 512);
            senders.Run(threads: 1, perFlow: 20);
            sent = senders.Sent;
            Wait.Until(() => recorder.Delivered == sent, () => recorder.Describe());
            stats = dev.QueueStats;
        }
        finally
        {
            stack.Dispose();
        }

        Accounting.AssertAllAccounted(sent, recorder.Delivered, stack.Snapshot());
        Assert.All(stats, q => Assert.True(q.Packets > 0, q.ToString()));
    }

    private static void ShrinkAndRestore(KickMode mode, string rps, Family family, bool cpuSteering, int cycles)
    {
        using var flows = new Flows(32, family.SenderFamily());
        var recorder = new Recorder(flows.Ports);
        var cpus = Pinning.Allowed;
        long sent;
        var stack = UdpStacks.Create(recorder.Handle, mode, rps);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2, Bind = family.Bind(), CpuSteering = cpuSteering });
            dev.Start();
            var ids = dev.Napis.Select(n => n.Id).ToArray();
            Assert.Equal(2, ids.Length);
            var senders = new Senders(flows, family.Destination(dev.LocalEndPoint), () => recorder.Delivered, window: 1024);
            var workers = senders.Start(threads: 2, perFlow: 1_000_000, t => cpus[t % cpus.Count]);
            try
            {
                for (int cycle = 0; cycle < cycles; cycle++)
                {
                    WaitForMore(recorder, 2000);
                    dev.SetChannels(1);
                    Assert.Equal(1, dev.QueueCount);
                    Assert.Single(dev.RxQueues);
                    Assert.Equal([ids[0]], dev.Napis.Select(n => n.Id));
                    Assert.Single(dev.QueueStats);

                    WaitForMore(recorder, 2000);
                    long onQueue1 = recorder.OnQueue(1);
                    dev.SetChannels(2);
                    Assert.Equal(2, dev.QueueCount);
                    Assert.Equal(2, dev.RxQueues.Count);
                    Assert.Equal(ids, dev.Napis.Select(n => n.Id));
                    Assert.Equal(ids, dev.QueueStats.Select(q => q.NapiId));
                    Assert.Equal([0, 1], dev.QueueStats.Select(q => q.IrqCpu));
                    Wait.Until(() => recorder.OnQueue(1) > onQueue1, () => $"the restored queue 1 to receive: {recorder.Describe()}");
                }
            }
            finally
            {
                senders.StopAndJoin(workers);
            }
            sent = senders.Sent;
            Wait.Settled(stack, recorder, sent);
        }
        finally
        {
            stack.Dispose();
        }

        Assert.True(recorder.Foreign == 0, recorder.Describe());
        Accounting.AssertAllAccounted(sent, recorder.Delivered, stack.Snapshot());
    }

    private static void WaitForMore(Recorder recorder, long more)
    {
        long target = recorder.Delivered + more;
        Wait.Until(() => recorder.Delivered >= target, () => $"{more} more deliveries: {recorder.Describe()}");
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class ChannelTestsIoUring : ChannelTests
{
    public ChannelTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
