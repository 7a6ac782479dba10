using System.Collections.Concurrent;
using Softnet.Core;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>
/// The NAPI state protocol (napi_schedule_prep, napi_complete_done, napi_disable, net_rx_action): claim, MISSED, completion, disable, round robin, budget. Properties that
/// depend on interleavings (MISSED during a poll, disable during a poll, concurrent schedules) are checked under every
/// schedule the simulation explores (tests/Softnet.Simulation, the napi scenarios), not here with sleeps.
/// </summary>
public sealed class NapiProtocolTests
{
    [Fact]
    public void NewNapiStartsDisabled_AndCannotBeScheduledOrCompleted()
    {
        using var stack = new NetStack(Stacks.Options(2), Stacks.Ignore);
        var napi = new TestNapi(stack);

        Assert.Equal(NapiState.Sched | NapiState.Npsvc, napi.State);
        Assert.False(napi.Schedule());
        // NPSVC: completion is a no-op for whoever is not the owner.
        Assert.False(napi.CompleteDone(0));
        Assert.True((napi.State & (NapiState.Sched | NapiState.Npsvc)) == (NapiState.Sched | NapiState.Npsvc));
        Assert.Equal(0, napi.Started);
    }

    [Fact]
    public void SchedulePrep_ClaimsOnce_SecondClaimFailsAndSetsMissed()
    {
        using var stack = new NetStack(Stacks.Options(2), Stacks.Ignore);
        using var cpu = TestPlatform.As(0);
        var napi = new TestNapi(stack);
        napi.Enable();
        Assert.Equal(NapiState.None, napi.State);

        Assert.True(napi.SchedulePrep());
        Assert.Equal(NapiState.Sched, napi.State);
        Assert.False(napi.SchedulePrep());
        Assert.Equal(NapiState.Sched | NapiState.Missed, napi.State);
        Assert.False(napi.SchedulePrep());
        Assert.Equal(NapiState.Sched | NapiState.Missed, napi.State);

        // Completing with MISSED set keeps SCHED and schedules exactly one more poll, which then completes normally.
        Assert.False(napi.CompleteDone(0));
        Eventually.True(() => napi.Polls == 1 && napi.State == NapiState.None, () => $"one poll and idle; polls {napi.Polls}, state {napi.State}");
        Assert.Equal(1, napi.Started);
        Assert.Equal([true], napi.CompleteResults);
    }

    [Fact]
    public void CompleteDone_ClearsSched_SoTheNextScheduleClaimsAgain()
    {
        using var stack = new NetStack(Stacks.Options(2), Stacks.Ignore);
        using var cpu = TestPlatform.As(1);
        var pollers = new ConcurrentQueue<string?>();
        var napi = new TestNapi(stack) { OnPoll = _ => pollers.Enqueue(Thread.CurrentThread.Name) };
        napi.Enable();

        Assert.True(napi.SchedulePrep());
        Assert.True(napi.CompleteDone(0));
        Assert.Equal(NapiState.None, napi.State);

        for (int i = 1; i <= 5; i++)
        {
            Assert.True(napi.Schedule());
            int expected = i;
            // Polls and Packets are counted by the core after the driver's poll returned, i.e. after it completed.
            Eventually.True(
                () => napi.Polls == expected && napi.Packets == expected && napi.State == NapiState.None,
                () => $"poll {expected} completed; polls {napi.Polls}, packets {napi.Packets}, state {napi.State}");
        }
        Assert.Equal(5, napi.Started);
        Assert.Equal(5, napi.Polls);
        // Scheduled from (virtual) CPU 1: listed there and polled by that CPU's softirq thread.
        Assert.All(pollers, name => Assert.Equal("ksoftirqd/1", name));
        Assert.All(napi.CompleteResults, Assert.True);
    }

    [Fact]
    public void Disable_DuringFullBudgetPoll_CompletesInsteadOfRepolling()
    {
        using var stack = new NetStack(Stacks.Options(2), Stacks.Ignore);
        using var cpu = TestPlatform.As(1);
        var napi = new TestNapi(stack) { FullBudget = true };
        napi.Enable();
        napi.BlockNextPoll();
        var disabled = new ManualResetEventSlim(false);
        Thread? disabler = null;
        try
        {
            Assert.True(napi.Schedule());
            Eventually.Set(napi.Entered, "the poll to start");
            disabler = new Thread(() =>
            {
                napi.Disable();
                disabled.Set();
            })
            { IsBackground = true, Name = "test-disabler" };
            disabler.Start();
            Eventually.True(() => napi.State.HasFlag(NapiState.Disable), "DISABLE to be set");
        }
        finally
        {
            napi.Gate.Set();
        }

        Eventually.Set(disabled, "Disable() to return");
        Assert.True(disabler!.Join(Eventually.Patience));
        Assert.Equal(NapiState.Sched | NapiState.Npsvc, napi.State);
        Thread.Sleep(20);
        // The exhausted poll was completed by the core because a disable was pending: no repoll.
        Assert.Equal(1, napi.Started);
        Assert.Equal(1, napi.Polls);
    }

    [Fact]
    public void NapisUsingTheirWholeWeight_AlternateRoundRobin()
    {
        using var stack = new NetStack(Stacks.Options(2), Stacks.Ignore);
        var sd = stack.Cpu(0);
        var trace = new ConcurrentQueue<string>();
        var a = new TestNapi(stack, name: "a") { FullBudget = true, OnPoll = n => trace.Enqueue(n.Name) };
        var b = new TestNapi(stack, name: "b") { FullBudget = true, OnPoll = n => trace.Enqueue(n.Name) };
        a.Enable();
        b.Enable();
        try
        {
            // Listed together: CPU 0's softirq cannot start a pass before both are on its poll list.
            lock (sd.Bh)
            {
                using var cpu = TestPlatform.As(0);
                Assert.True(a.Schedule());
                Assert.True(b.Schedule());
            }
            Eventually.True(() => trace.Count >= 200, () => $"200 polls; got {trace.Count}");
        }
        finally
        {
            a.FullBudget = false;
            b.FullBudget = false;
        }
        Eventually.True(() => a.State == NapiState.None && b.State == NapiState.None, "both NAPIs to complete");

        var polls = trace.Take(200).ToArray();
        Assert.Equal("a", polls[0]);
        for (int i = 1; i < polls.Length; i++)
            Assert.True(polls[i] != polls[i - 1], $"poll {i} polled {polls[i]} twice in a row: {string.Concat(polls.Take(i + 1).TakeLast(10))}");
    }

    [Fact]
    public void NapiScheduledDuringAFullPoll_RunsBeforeTheRepoll()
    {
        for (int iteration = 0; iteration < 3; iteration++)
        {
            using var stack = new NetStack(Stacks.Options(2), Stacks.Ignore);
            using var cpu = TestPlatform.As(1);
            var trace = new ConcurrentQueue<string>();
            var a = new TestNapi(stack, name: "a") { FullBudget = true, OnPoll = n => trace.Enqueue(n.Name) };
            var b = new TestNapi(stack, name: "b") { OnPoll = n => trace.Enqueue(n.Name) };
            a.Enable();
            b.Enable();
            a.BlockNextPoll();
            try
            {
                Assert.True(a.Schedule());
                Eventually.Set(a.Entered, "a's first poll");
                Assert.True(b.Schedule());
            }
            finally
            {
                a.Gate.Set();
            }
            Eventually.True(() => trace.Count >= 3, "three polls");
            a.FullBudget = false;
            Eventually.True(() => a.State == NapiState.None && b.State == NapiState.None, "both NAPIs to complete");

            Assert.Equal(["a", "b", "a"], trace.Take(3));
            Assert.Equal(1, b.Started);
        }
    }

    [Fact]
    public void ExhaustedBudget_CountsTimeSqueeze_AndSoftirqKeepsPolling()
    {
        using var stack = new NetStack(Stacks.Options(2) with { NetdevBudget = 10 }, Stacks.Ignore);
        using var cpu = TestPlatform.As(1);
        var napi = new TestNapi(stack) { FullBudget = true };
        napi.Enable();
        long fullPolls;
        try
        {
            Assert.True(napi.Schedule());
            // Every pass polls once (64 > budget 10), squeezes, and the softirq thread comes back for more.
            Eventually.True(() => napi.Started >= 100, () => $"100 polls; got {napi.Started}");
        }
        finally
        {
            napi.FullBudget = false;
        }
        // One completing poll (1 packet) after the exhausted ones (64 each); the core counts them after each poll returned.
        Eventually.True(
            () => napi.State == NapiState.None && napi.Polls == napi.Started && napi.Packets == (napi.Started - 1) * 64 + 1,
            () => $"the NAPI to complete; started {napi.Started}, polls {napi.Polls}, packets {napi.Packets}");
        fullPolls = napi.Started - 1;

        var snap = stack.Snapshot();
        Assert.True(snap.Cpus[1].TimeSqueeze >= fullPolls, $"time_squeeze {snap.Cpus[1].TimeSqueeze} < exhausted passes {fullPolls}");
        Assert.Equal(0, snap.Cpus[0].TimeSqueeze);
        var rows = Diagnostics.SoftnetStat.Parse(stack.SoftnetStat());
        Assert.Equal((uint)snap.Cpus[1].TimeSqueeze, rows[1][2]);
    }

    [Fact]
    public void TimeLimit_CountsTimeSqueeze_EvenWithBudgetLeft()
    {
        // netdev_budget_usecs = 1: a pass whose poll takes longer stops on time, not on budget.
        using var stack = new NetStack(Stacks.Options(2) with { NetdevBudget = 1 << 20, NetdevBudgetUsecs = 1 }, Stacks.Ignore);
        using var cpu = TestPlatform.As(0);
        var napi = new TestNapi(stack)
        {
            FullBudget = true,
            OnPoll = _ =>
            {
                long until = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 20_000;
                while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
                    Thread.SpinWait(10);
            },
        };
        napi.Enable();
        try
        {
            Assert.True(napi.Schedule());
            Eventually.True(() => napi.Started >= 50, () => $"50 polls; got {napi.Started}");
        }
        finally
        {
            napi.FullBudget = false;
        }
        Eventually.True(() => napi.State == NapiState.None && napi.Polls == napi.Started, "the NAPI to complete");

        long fullPolls = napi.Started - 1;
        Assert.True(stack.Snapshot().Cpus[0].TimeSqueeze >= fullPolls, $"time_squeeze {stack.Snapshot().Cpus[0].TimeSqueeze} < passes {fullPolls}");
    }
}
