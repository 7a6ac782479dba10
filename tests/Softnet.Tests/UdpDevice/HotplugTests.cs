using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>CPU hotplug with a UDP device: a queue's interrupt follows its CPU out and back, and the queue keeps receiving.</summary>
[Collection(UdpDeviceCollection.Name)]
public class HotplugTests
{
    public HotplugTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected HotplugTests(UdpBackend backend) => TestBackend.Current = backend;

    private const int Burst = 20;

    /// <summary>
    /// Two queues, CPU-steered: a sender pinned to OS CPU c reaches queue c. Taking stack CPU c offline moves queue
    /// c's interrupt to the other CPU (QueueStats.IrqCpu), which then polls it: a burst from CPU c arrives whole,
    /// delivered on the surviving CPU. Online moves the interrupt back and delivery returns to CPU c. Both CPUs in
    /// turn; at the end sent = delivered + drops and every flow is in order.
    /// </summary>
    [Theory]
    [InlineData(KickMode.Softirq, "")]
    [InlineData(KickMode.BacklogThreads, "")]
    [InlineData(KickMode.Softirq, "all")]
    public void OfflineMovesTheQueueInterruptAndOnlineMovesItBack(KickMode mode, string rps)
    {
        var cpus = Pinning.Allowed;
        if (cpus.Count < 2)
            return; // steering a sender's traffic to queue 1 needs a second OS CPU
        using var flows = new Flows(8, System.Net.Sockets.AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        long sent;
        var stack = UdpStacks.Create(recorder.Handle, mode, rps);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2 });
            dev.Start();
            if (!dev.CpuSteering || !Pinning.LoopbackReceivesOnSendingCpu())
                return; // without the steering program a pinned sender cannot pick its queue
            recorder.SteeringQueues = 2;
            var senders = new Senders(flows, dev.LocalEndPoint, () => recorder.Delivered, window: 512);
            Assert.Equal([0, 1], dev.QueueStats.Select(q => q.IrqCpu));
            foreach (int cpu in (int[])[0, 1])
                BurstFrom(cpu, cpu, expectedCpu: rps == "" ? cpu : -1);

            foreach (int dead in (int[])[1, 0, 1])
            {
                int survivor = 1 - dead;
                stack.SetCpuOffline(dead);
                Assert.False(stack.Snapshot().Cpus[dead].Online);
                Assert.Equal(survivor, dev.QueueStats[dead].IrqCpu);
                Assert.Equal(survivor, dev.QueueStats[survivor].IrqCpu);
                // The dead CPU's queue keeps receiving, polled and delivered by the survivor.
                BurstFrom(dead, dead, expectedCpu: survivor);
                BurstFrom(survivor, survivor, expectedCpu: survivor);

                stack.SetCpuOnline(dead);
                Assert.True(stack.Snapshot().Cpus[dead].Online);
                Assert.Equal([0, 1], dev.QueueStats.Select(q => q.IrqCpu));
                BurstFrom(dead, dead, expectedCpu: rps == "" ? dead : -1);
            }

            void BurstFrom(int osCpuIndex, int queue, int expectedCpu)
            {
                long onQueue = recorder.OnQueue(queue);
                long onCpu = expectedCpu >= 0 ? recorder.OnCpu(expectedCpu) : 0;
                long target = senders.Sent + ((long)Burst * flows.Count);
                senders.Run(threads: 1, Burst, _ => cpus[osCpuIndex]);
                Assert.True(senders.AllPinned, "a sender could not be pinned");
                Wait.Until(() => recorder.Delivered >= target, () => $"the burst from CPU {osCpuIndex}: {recorder.Describe()}; {Diagnostics.Describe(stack, dev)}");
                Assert.Equal(onQueue + ((long)Burst * flows.Count), recorder.OnQueue(queue));
                if (expectedCpu >= 0)
                    Assert.Equal(onCpu + ((long)Burst * flows.Count), recorder.OnCpu(expectedCpu));
            }
            sent = senders.Sent;
        }
        finally
        {
            // A stranded NAPI would make Dispose wait forever on an offline CPU.
            stack.SetCpuOnline(0);
            stack.SetCpuOnline(1);
            stack.Dispose();
        }

        Accounting.AssertAllAccounted(sent, recorder.Delivered, stack.Snapshot());
        Assert.True(recorder.OutOfOrder == 0 && recorder.Foreign == 0 && recorder.WrongQueue == 0, recorder.Describe());
    }

    /// <summary>
    /// Offline and online of both CPUs in turn while senders pinned to both CPUs stream: after every transition
    /// both queues keep receiving, and at the end sent = delivered + drops with every flow in order.
    /// </summary>
    /// <remarks>
    /// With 200 transitions it fails about every other run. SetCpuOffline parks the dead CPU's softirq thread and
    /// migrates its poll list before the device moves the queue interrupts (OnCpuOffline, last). Meanwhile the
    /// parked thread still waits in epoll on the queue's descriptor, takes its interrupt, and schedules the NAPI on
    /// its own, offline CPU (CurrentSoftnet returns the thread's home CPU, ignoring StandIn). The NAPI then sits
    /// SCHED on a parked CPU's poll list; the interrupt registered on the survivor only sets MISSED; the queue
    /// receives nothing until the CPU comes back, and NetStack.Dispose hangs forever in napi_disable if it never does.
    /// </remarks>
    [Theory]
    [InlineData(KickMode.Softirq, "")]
    [InlineData(KickMode.BacklogThreads, "all")]
    public void OfflineAndOnlineUnderTraffic_QueuesKeepReceivingAndNothingIsLost(KickMode mode, string rps)
    {
        var cpus = Pinning.Allowed;
        using var flows = new Flows(16, System.Net.Sockets.AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        long sent;
        var stack = UdpStacks.Create(recorder.Handle, mode, rps);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2 });
            dev.Start();
            var senders = new Senders(flows, dev.LocalEndPoint, () => recorder.Delivered, window: 512);
            // Enough to outlast the 200 transitions however slow a loaded machine makes them; stopped right after them.
            var workers = senders.Start(threads: 2, perFlow: 1_000_000, t => cpus[t % cpus.Count]);
            try
            {
                for (int round = 0; round < 200; round++)
                {
                    int cpu = round % 2;
                    stack.SetCpuOffline(cpu);
                    Assert.All(dev.QueueStats, q => Assert.Equal(1 - cpu, q.IrqCpu));
                    BothQueuesReceive();
                    stack.SetCpuOnline(cpu);
                    Assert.Equal([0, 1], dev.QueueStats.Select(q => q.IrqCpu));
                    BothQueuesReceive();
                }
            }
            finally
            {
                senders.StopAndJoin(workers);
            }
            sent = senders.Sent;
            Wait.Settled(stack, recorder, sent);

            void BothQueuesReceive()
            {
                long q0 = recorder.OnQueue(0), q1 = recorder.OnQueue(1);
                Wait.Until(
                    () => recorder.OnQueue(0) > q0 + 100 && recorder.OnQueue(1) > q1 + 100,
                    () => $"both queues to receive (sent {senders.Sent}): {recorder.Describe()}; {Diagnostics.Describe(stack, dev)}");
            }
        }
        finally
        {
            // A stranded NAPI would make Dispose wait forever on an offline CPU.
            stack.SetCpuOnline(0);
            stack.SetCpuOnline(1);
            stack.Dispose();
        }

        Accounting.AssertAllAccounted(sent, recorder.Delivered, stack.Snapshot());
        Assert.True(recorder.OutOfOrder == 0 && recorder.Foreign == 0, recorder.Describe());
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class HotplugTestsIoUring : HotplugTests
{
    public HotplugTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
