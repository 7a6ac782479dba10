using Softnet.Core;
using Softnet.Devices;
using Softnet.Scheduling;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>
/// CPU hotplug races, each forced into its bad interleaving by the test rather than found by luck: work that reaches
/// a CPU after dev_cpu_dead handed it over, and a returning CPU that must not overtake the one that stood in.
/// </summary>
public sealed class HotplugRaceTests
{
    /// <summary>
    /// A thread that chose CPU 1 just before it went offline (its softirq thread had already taken the queue's
    /// interrupt, or it read the stand-in too early) lists the NAPI after the hand-over. It must be polled by the CPU
    /// that took CPU 1's work, not wait on a parked CPU's poll list.
    /// </summary>
    [Fact]
    public void ANapiListedOnACpuThatWentOffline_IsPolledByTheCpuThatTookItsWork()
    {
        using var stack = new NetStack(Stacks.Options(2), Stacks.Ignore);
        var napi = new TestNapi(stack);
        napi.Enable();
        stack.SetCpuOffline(1);

        Assert.True(napi.SchedulePrep());
        stack.Cpu(1).ListAndRaise(napi);

        Eventually.True(() => napi.Polls == 1 && napi.State == NapiState.None, () => $"one poll while CPU 1 is offline; polls {napi.Polls}, state {napi.State}");
        Assert.False(stack.Cpu(1).Online);
    }

    /// <summary>The same for a deferral watchdog armed on CPU 1 after its watchdogs were handed over.</summary>
    [Fact]
    public void AWatchdogArmedOnACpuThatWentOffline_FiresOnTheCpuThatTookItsWork()
    {
        using var stack = new NetStack(Stacks.Options(2), Stacks.Ignore);
        var napi = new TestNapi(stack);
        napi.Enable();
        stack.SetCpuOffline(1);

        stack.Cpu(1).Watchdogs.Arm(napi, 0);

        Eventually.True(() => napi.Polls == 1 && napi.State == NapiState.None, () => $"the watchdog's poll while CPU 1 is offline; polls {napi.Polls}, state {napi.State}");
        Assert.False(stack.Cpu(1).Online);
    }

    /// <summary>
    /// RPS steers the flow to CPU 1. While CPU 1 is offline, packet 0 goes to CPU 0, whose handler holds it. Bringing
    /// CPU 1 back must wait until CPU 0 has finished delivering packet 0: packet 1, steered to CPU 1 again, must not be
    /// delivered while packet 0 is still in the handler. The handler lets go of packet 0 once online is seen waiting.
    /// </summary>
    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void Online_WaitsUntilTheStandInHasDeliveredWhatItQueuedForTheCpu(KickMode mode)
    {
        var platform = new BackoffCountingPlatform(3);
        var entered = new ManualResetEventSlim(false);
        long onlineBackoffs = 0;
        int inHandler = 0, overlaps = 0, lastSeq = -1, outOfOrder = 0;
        long delivered = 0;
        Thread? online = null;
        var options = Stacks.Options(3, mode) with { Platform = platform, RpsCpus = "2" };
        var stack = new NetStack(options, (batch, cpu) =>
        {
            foreach (var p in batch)
            {
                if (Interlocked.Increment(ref inHandler) > 1)
                    Interlocked.Increment(ref overlaps);
                int seq = Stacks.Seq(p);
                if (Interlocked.Exchange(ref lastSeq, seq) >= seq)
                    Interlocked.Increment(ref outOfOrder);
                if (seq == 0)
                {
                    entered.Set();
                    // Held until online is seen waiting for it, or until packet 1 went past it.
                    Eventually.Holds(() => Volatile.Read(ref onlineBackoffs) > 0 || Interlocked.Read(ref delivered) > 0, Eventually.Patience);
                }
                Interlocked.Increment(ref delivered);
                Interlocked.Decrement(ref inHandler);
            }
        });
        try
        {
            var lo = new LoopbackDevice(stack);
            using var sender = TestPlatform.As(2);
            var writer = new OneFlowWriter(flow: 1, hash: 0x1234_5678, firstSeq: 0);
            stack.SetCpuOffline(1);

            lo.Send(1, ref writer);
            Eventually.Set(entered, "CPU 0, standing in for CPU 1, to hold packet 0 in the handler");
            var bringUp = new Thread(() =>
            {
                platform.CountBackoffsOnThisThread(() => Interlocked.Increment(ref onlineBackoffs));
                stack.SetCpuOnline(1);
            });
            online = bringUp;
            bringUp.Start();
            Eventually.True(() => !bringUp.IsAlive || Volatile.Read(ref onlineBackoffs) > 0, "CPU 1 to come online or to wait for CPU 0");
            Assert.True(bringUp.Join(Eventually.Patience), "online did not return after CPU 0 delivered packet 0");
            lo.Send(1, ref writer);
            Eventually.True(() => Interlocked.Read(ref delivered) == 2, () => $"both packets delivered; got {Interlocked.Read(ref delivered)}{Diagnose.Describe(stack)}");
        }
        finally
        {
            online?.Join(Eventually.Patience);
            stack.Dispose();
        }

        Assert.Equal(0, overlaps);
        Assert.Equal(0, outOfOrder);
        Assert.Equal(2, stack.Snapshot().Cpus.Sum(c => c.Delivered));
    }

    /// <summary>
    /// While SetCpuOnline(1) waits for the stand-in, the flow is steered to CPU 1 again: packet 1 claims CPU 1's
    /// backlog and kicks it. A pass that runs for CPU 1 before its poll list reopens (a thread that passed the park
    /// check before the CPU went offline) must leave that kick for the CPU's return rather than consume it.
    /// </summary>
    [Fact]
    public void AKickTakenBeforeTheReturningCpuReopens_IsNotLost()
    {
        var platform = new BackoffCountingPlatform(3);
        var entered = new ManualResetEventSlim(false);
        long onlineBackoffs = 0, delivered = 0;
        int lastSeq = -1, outOfOrder = 0;
        Thread? online = null;
        var options = Stacks.Options(3) with { Platform = platform, RpsCpus = "2" };
        var stack = new NetStack(options, (batch, cpu) =>
        {
            foreach (var p in batch)
            {
                int seq = Stacks.Seq(p);
                if (Interlocked.Exchange(ref lastSeq, seq) >= seq)
                    Interlocked.Increment(ref outOfOrder);
                if (seq == 0)
                {
                    entered.Set();
                    Eventually.Holds(() => Volatile.Read(ref onlineBackoffs) > 0, Eventually.Patience);
                }
                Interlocked.Increment(ref delivered);
            }
        });
        try
        {
            var lo = new LoopbackDevice(stack);
            var writer = new OneFlowWriter(flow: 1, hash: 0x1234_5678, firstSeq: 0);
            stack.SetCpuOffline(1);
            using (TestPlatform.As(2))
                lo.Send(1, ref writer);
            Eventually.Set(entered, "CPU 0, standing in for CPU 1, to hold packet 0 in the handler");
            var bringUp = new Thread(() =>
            {
                platform.CountBackoffsOnThisThread(() =>
                {
                    if (Interlocked.Increment(ref onlineBackoffs) != 1)
                        return;
                    using (TestPlatform.As(2))
                        lo.Send(1, ref writer);
                    stack.Cpu(1).RunInline();
                });
                stack.SetCpuOnline(1);
            });
            online = bringUp;
            bringUp.Start();
            Assert.True(bringUp.Join(Eventually.Patience), "online did not return after CPU 0 delivered packet 0");
            Eventually.True(() => Interlocked.Read(ref delivered) == 2, () => $"both packets delivered; got {Interlocked.Read(ref delivered)}{Diagnose.Describe(stack)}");
        }
        finally
        {
            online?.Join(Eventually.Patience);
            stack.Dispose();
        }

        Assert.Equal(0, outOfOrder);
        Assert.Equal(1, stack.Snapshot().Cpus[1].Delivered);
    }

    /// <summary>The test platform, counting the back-offs (polling waits) of one chosen thread.</summary>
    private sealed class BackoffCountingPlatform(int cpus) : IPlatform
    {
        [ThreadStatic]
        private static Action? t_onBackoff;

        private readonly TestPlatform _inner = new(cpus);

        public void CountBackoffsOnThisThread(Action onBackoff) => t_onBackoff = onBackoff;

        public long NowNs() => _inner.NowNs();

        public int CurrentOsCpu() => _inner.CurrentOsCpu();

        public IReadOnlyList<int> AllowedOsCpus() => _inner.AllowedOsCpus();

        public IWaiter CreateWaiter() => _inner.CreateWaiter();

        public IIrqWaiter CreateSoftirqWaiter() => _inner.CreateSoftirqWaiter();

        public IThreadHandle StartThread(string name, int osCpu, Action setup, Action body) => _inner.StartThread(name, osCpu, setup, body);

        public void Yield() => _inner.Yield();

        public void CondResched() => _inner.CondResched();

        public void Backoff(int attempt)
        {
            t_onBackoff?.Invoke();
            _inner.Backoff(attempt);
        }

        public void Sleep(TimeSpan duration) => _inner.Sleep(duration);
    }
}
