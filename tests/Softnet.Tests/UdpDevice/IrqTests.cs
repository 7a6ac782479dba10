using System.Net.Sockets;
using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>
/// The queue interrupt (EPOLLONESHOT readiness) and the NAPI protocol around it: masked from the schedule until the
/// NAPI completes (napi_complete_done), kept masked by defer_hard_irqs while the gro_flush_timeout watchdog polls
/// (napi_watchdog), and re-armed after.
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public class IrqTests
{
    public IrqTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected IrqTests(UdpBackend backend) => TestBackend.Current = backend;

    /// <summary>
    /// The handler blocks inside the first poll while 300 more datagrams queue on the socket: the NAPI stays owned
    /// (SCHED) with no schedule attempt recorded (no MISSED) and no further poll — one readiness, one schedule until
    /// completion. Released, the re-armed interrupt fires at once for what queued meanwhile and everything arrives.
    /// </summary>
    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void WhileThePollIsBlocked_TheInterruptStaysMaskedAndNothingIsLost(KickMode mode)
    {
        const int more = 300;
        using var flows = new Flows(1, AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int calls = 0;
        long sent = 0;
        long pollsBlocked, packetsBlocked, deliveredBlocked, queuedBytes;
        NapiState stateBlocked;
        long polls, packets;
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
            mode);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            dev.Start();
            var napi = Assert.Single(dev.Napis);
            var destination = dev.LocalEndPoint;
            var buffer = new byte[Payload.Bytes];

            Payload.Write(buffer, 0, 0, 0);
            flows[0].SendTo(buffer, destination);
            sent++;
            Wait.Set(entered, "the handler to get the first datagram");
            long pollsBefore = napi.Polls;

            for (int seq = 1; seq <= more; seq++)
            {
                Payload.Write(buffer, 0, seq, 0);
                flows[0].SendTo(buffer, destination);
                sent++;
            }
            // The datagrams sit in the socket: readiness is there, and nothing may act on it.
            Wait.Until(() => ProcUdp.RxQueueBytes(destination.Port) > 0, () => "the socket to hold the later datagrams");
            Thread.Sleep(20);
            pollsBlocked = napi.Polls - pollsBefore;
            packetsBlocked = napi.Packets;
            deliveredBlocked = recorder.Delivered;
            stateBlocked = napi.State;
            queuedBytes = ProcUdp.RxQueueBytes(destination.Port);

            release.Set();
            Wait.Until(() => recorder.Delivered == sent, () => $"all {sent} datagrams, {recorder.Describe()}");
            // Settled: the last poll returned (a poll's packets are counted after it returns) and completed.
            Wait.Until(
                () => napi.Packets == sent && (napi.State & NapiState.Sched) == 0,
                () => $"the NAPI to complete, state {napi.State}, packets {napi.Packets}");
            polls = napi.Polls;
            packets = napi.Packets;
        }
        finally
        {
            release.Set();
            stack.Dispose();
        }

        Assert.Equal(0, pollsBlocked);
        Assert.Equal(0, packetsBlocked);
        Assert.Equal(1, deliveredBlocked);
        Assert.True(queuedBytes > 0);
        Assert.True((stateBlocked & NapiState.Sched) != 0, $"state while blocked: {stateBlocked}");
        Assert.True((stateBlocked & NapiState.Missed) == 0, $"a schedule was attempted while the interrupt should be masked: {stateBlocked}");
        // 1 + 300 datagrams: the first poll took 1, then ceil(300 / 64) polls with the last one partial.
        Assert.Equal(sent, packets);
        if (TestBackend.Current == UdpBackend.Epoll)
            Assert.Equal(1 + ((more + 63) / 64), polls);
        else
        {
            // The kernel keeps completing datagrams into the ring while polls run, so a poll takes what has completed
            // by then: at least the full polls, at most one poll per datagram.
            Assert.InRange(polls, 1 + ((more + 63) / 64), 1 + more);
        }
        Assert.True(recorder.OutOfOrder == 0, recorder.Describe());
        var s = stack.Snapshot();
        Accounting.AssertAllAccounted(sent, recorder.Delivered, s);
        Assert.Equal(0, s.Dropped);
    }

    /// <summary>
    /// One datagram, then quiet. defer_hard_irqs = N with a gro_flush_timeout: the completion with work and N - 1
    /// empty ones arm the watchdog instead of unmasking, so the NAPI is polled 1 + N times before the interrupt is
    /// re-armed; without a timeout (or with N = 0) the first completion unmasks. A second datagram afterwards gets
    /// the same treatment, which proves the interrupt was re-armed.
    /// </summary>
    [Theory]
    [InlineData(2, 200_000L, 3)]
    [InlineData(1, 200_000L, 2)]
    [InlineData(0, 200_000L, 1)]
    [InlineData(0, 0L, 1)]
    [InlineData(2, 0L, 1)]
    public void DeferHardIrqs_KeepsTheInterruptMaskedForThatManyWatchdogPolls(int defer, long groFlushTimeoutNs, int pollsPerDatagram)
    {
        using var flows = new Flows(1, AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        var buffer = new byte[Payload.Bytes];
        var settle = TimeSpan.FromMilliseconds(50);
        long sent = 0;
        var polls = new long[2];
        var packets = new long[2];
        int napiDefer, configDefer;
        long napiTimeout;
        var stack = UdpStacks.Create(recorder.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1, DeferHardIrqs = defer, GroFlushTimeoutNs = groFlushTimeoutNs });
            dev.Start();
            var napi = Assert.Single(dev.Napis);
            napiDefer = napi.DeferHardIrqs;
            napiTimeout = napi.GroFlushTimeoutNs;
            configDefer = dev.NapiConfigs[0].DeferHardIrqs;
            long startPolls = TestBackend.AfterStart(napi);
            for (int round = 0; round < 2; round++)
            {
                Payload.Write(buffer, 0, round, 0);
                flows[0].SendTo(buffer, dev.LocalEndPoint);
                sent++;
                long expected = startPolls + ((round + 1) * pollsPerDatagram);
                Wait.Until(() => recorder.Delivered == sent, () => $"datagram {round} to be delivered (polls {napi.Polls}, state {napi.State})");
                Wait.Until(() => napi.Polls >= expected, () => $"{expected} polls, got {napi.Polls}");
                // Settled: idle, no watchdog pending, and no poll after the expected ones.
                Wait.Until(() => (napi.State & NapiState.Sched) == 0 && napi.TimerCpu is null, () => $"the NAPI to go idle, state {napi.State}");
                Thread.Sleep(settle);
                polls[round] = napi.Polls - startPolls;
                packets[round] = napi.Packets;
            }
        }
        finally
        {
            stack.Dispose();
        }

        Assert.Equal(defer, napiDefer);
        Assert.Equal(groFlushTimeoutNs, napiTimeout);
        Assert.Equal(defer, configDefer);
        Assert.Equal([pollsPerDatagram, 2 * pollsPerDatagram], polls);
        Assert.Equal([1L, 2L], packets);
        Accounting.AssertAllAccounted(sent, recorder.Delivered, stack.Snapshot());
        Assert.Equal(2, recorder.Delivered);
    }

    /// <summary>
    /// A datagram that arrives while the deferral keeps the interrupt masked waits in the socket for the watchdog's
    /// poll; that poll had work, so the deferral count reloads: 1 + 1 + 2 polls in all before the unmask.
    /// </summary>
    [Fact]
    public void DuringDeferral_ADatagramWaitsForTheWatchdogPoll()
    {
        const long timeoutNs = 300_000_000;
        using var flows = new Flows(1, AddressFamily.InterNetwork);
        var recorder = new Recorder(flows.Ports);
        var buffer = new byte[Payload.Bytes];
        long pollsAtSecond, deliveredAtSecond, queuedAtSecond, polls, packets;
        bool timerArmed;
        var stack = UdpStacks.Create(recorder.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1, DeferHardIrqs = 2, GroFlushTimeoutNs = timeoutNs });
            dev.Start();
            var napi = Assert.Single(dev.Napis);
            Payload.Write(buffer, 0, 0, 0);
            flows[0].SendTo(buffer, dev.LocalEndPoint);
            Wait.Until(() => recorder.Delivered == 1 && (napi.State & NapiState.Sched) == 0, () => "the first datagram");
            timerArmed = napi.TimerCpu is not null;

            Payload.Write(buffer, 0, 1, 0);
            flows[0].SendTo(buffer, dev.LocalEndPoint);
            queuedAtSecond = ProcUdp.RxQueueBytes(dev.LocalEndPoint.Port);
            deliveredAtSecond = recorder.Delivered;
            pollsAtSecond = napi.Polls;

            Wait.Until(() => recorder.Delivered == 2, () => "the second datagram");
            Wait.Until(() => napi.Polls >= 4 && (napi.State & NapiState.Sched) == 0 && napi.TimerCpu is null, () => $"the deferral to end, polls {napi.Polls}");
            Thread.Sleep(50);
            polls = napi.Polls;
            packets = napi.Packets;
        }
        finally
        {
            stack.Dispose();
        }

        Assert.True(timerArmed, "the completion with work should have armed the watchdog");
        Assert.Equal(2, packets);
        // The watchdog is 300 ms away: unless this thread stalled that long, the second datagram found the
        // interrupt masked and sat in the socket.
        if (pollsAtSecond == 1)
        {
            Assert.Equal(1, deliveredAtSecond);
            // With io_uring the kernel completes it into the ring, where it waits instead of in the socket.
            if (TestBackend.Current == UdpBackend.Epoll)
                Assert.True(queuedAtSecond > 0, "the second datagram should wait in the socket while the interrupt is masked");
            Assert.Equal(4, polls);
        }
        Accounting.AssertAllAccounted(2, recorder.Delivered, stack.Snapshot());
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class IrqTestsIoUring : IrqTests
{
    public IrqTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
