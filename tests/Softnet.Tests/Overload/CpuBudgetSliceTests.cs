using Softnet.Overload;

namespace Softnet.Tests.Overload;

/// <summary>
/// The CPU budget's slices on a clock the test moves: a poller that always has packets runs at most the runtime
/// (plus one packet) before a break of at least the slice's idle part, takes no more than its share over time, and
/// pays for an overrun in the slices after it.
/// </summary>
public sealed class CpuBudgetSliceTests
{
    private const long Us = 1_000;
    private const long Ms = 1_000_000;

    /// <summary>
    /// A flood that never ends, 20 µs per packet, weight 64 (1.28 ms per full poll), 90% of 1 ms slices, for 1 s of
    /// the test's clock. The poller wakes exactly when the throttle ends.
    /// </summary>
    [Fact]
    public void AlwaysBusy_RunsAtMostTheRuntime_ThenBreaksForTheIdlePart()
    {
        const long cost = 20 * Us;
        var budget = new CpuBudget(Ms, 0.9, 0);
        long now = 0, busy = 0, run = 0, longestRun = 0, shortestBreak = long.MaxValue, breaks = 0;
        while (now < 1000 * Ms)
        {
            if (budget.IsThrottled(now))
            {
                long until = budget.ThrottledUntilNs;
                shortestBreak = Math.Min(shortestBreak, until - now);
                breaks++;
                longestRun = Math.Max(longestRun, run);
                run = 0;
                now = until;
                continue;
            }
            int quota = budget.Quota(now, 64, cost);
            long end = now + (quota * cost);
            budget.Charge(now, end);
            busy += end - now;
            run += end - now;
            now = end;
        }

        Assert.True(longestRun <= 900 * Us + cost, $"longest run {longestRun} ns");
        Assert.True(shortestBreak >= 100 * Us, $"shortest break {shortestBreak} ns");
        // Over the second the polls took at most 90% of the clock, and the budget let them take nearly all of it.
        Assert.InRange(busy, 880 * Ms, 900 * Ms);
        Assert.Equal(breaks, budget.Throttles);
    }

    /// <summary>
    /// A poll overruns the runtime by 50 µs: the break lasts the slice's idle part from there, and the next slice, which
    /// starts when the break ends, owes those 50 µs. A poll across slice ends is charged to each for its part.
    /// </summary>
    [Fact]
    public void AnOverrun_IsPaidByTheNextSlice()
    {
        var budget = new CpuBudget(Ms, 0.9, 0);
        budget.Charge(0, 950 * Us);
        Assert.True(budget.IsThrottled(950 * Us));
        Assert.Equal(1050 * Us, budget.ThrottledUntilNs);
        // 0.85 ms of runtime left in the slice that starts then: 43 packets of 20 µs, rounded up.
        Assert.Equal(43, budget.Quota(1050 * Us, 64, 20 * Us));
        budget.Charge(1050 * Us, 1900 * Us);
        Assert.Equal(2050 * Us, budget.ThrottledUntilNs);
        Assert.Equal(2, budget.Throttles);

        // 3 ms in one poll over three slices: each is charged 1 ms, 0.1 ms past its runtime. The pollers break for the
        // idle part, and the slice after the break owes 0.3 ms.
        var other = new CpuBudget(Ms, 0.9, 0);
        other.Charge(0, 3000 * Us);
        Assert.True(other.IsThrottled(3000 * Us));
        Assert.Equal(3100 * Us, other.ThrottledUntilNs);
        Assert.Equal(30, other.Quota(3100 * Us, 64, 20 * Us));
    }

    /// <summary>
    /// A run of 92 µs polls has used 752 µs of a slice when one poll takes 1.38 ms (a handler that ran long, or a vCPU
    /// the host took away, which the thread's CPU clock counts as the thread's): it ran past the slice's end with the
    /// runtime used, so the pollers break for the idle part when it ends, and the slice after the break starts with the
    /// debt. Rolled into the next slice without a break, they went on for that slice's runtime: 2.7 ms at a stretch.
    /// </summary>
    [Fact]
    public void APollPastTheSlicesEnd_EndsInABreak()
    {
        var budget = new CpuBudget(Ms, 0.9, 0);
        long now = 10 * Ms;
        for (int i = 0; i < 8; i++)
        {
            budget.Charge(now, now + (92 * Us));
            now += 94 * Us;
        }
        Assert.False(budget.IsThrottled(now));
        long end = now + (1380 * Us);
        budget.Charge(now, end);
        Assert.True(budget.IsThrottled(end));
        Assert.Equal(end + (100 * Us), budget.ThrottledUntilNs);
        // The run used 2,132 µs, and the two slices it ran past paid 1,800 µs of it: 0.33 ms is owed, 0.57 ms is left.
        Assert.Equal(29, budget.Quota(end + (100 * Us), 64, 20 * Us));
    }

    /// <summary>After a pause as long as the slice's idle part, a run gets a whole runtime, wherever the last slice stood.</summary>
    [Fact]
    public void AfterAPause_ASliceStartsWithTheNextPoll()
    {
        var budget = new CpuBudget(Ms, 0.9, 0);
        budget.Charge(0, 500 * Us);
        // 0.45 ms later (paused longer than 0.1 ms): the whole 0.9 ms again, not the 0.05 ms left of the first slice.
        Assert.Equal(45, budget.Quota(950 * Us, 64, 20 * Us));
        budget.Charge(950 * Us, 1850 * Us);
        Assert.Equal(1950 * Us, budget.ThrottledUntilNs);
        // Without a pause the slice runs on: 0.1 ms after a poll that used 0.2 ms, 0.7 ms is left.
        var other = new CpuBudget(Ms, 0.9, 0);
        other.Charge(0, 200 * Us);
        Assert.Equal(35, other.Quota(250 * Us, 64, 20 * Us));
    }

    /// <summary>Before the queue's cost per packet is known, and while the runtime left covers the weight, a poll reads its whole weight.</summary>
    [Fact]
    public void Quota_IsTheWeight_UnlessTheRuntimeIsShort()
    {
        var budget = new CpuBudget(Ms, 0.5, 0);
        Assert.Equal(64, budget.Quota(0, 64, 0));
        Assert.Equal(64, budget.Quota(0, 64, 5 * Us));
        Assert.Equal(25, budget.Quota(0, 64, 20 * Us));
        budget.Charge(0, 499 * Us);
        Assert.Equal(1, budget.Quota(499 * Us, 64, 20 * Us));
    }

    /// <summary>
    /// Polls of 100 µs with 15 µs between them (the loop between polls, not inside any): the gaps are charged too, so
    /// every slice still ends in a break of at least its idle part and no run is longer than the runtime plus a poll;
    /// charged by the polls alone, the slice ended before its runtime was used and the next started without a break.
    /// </summary>
    [Fact]
    public void TheLoopBetweenClosePolls_IsCharged()
    {
        var budget = new CpuBudget(Ms, 0.9, 0);
        long now = 0, run = 0, longestRun = 0, breaks = 0, last = 0;
        while (now < 100 * Ms)
        {
            if (budget.IsThrottled(now))
            {
                longestRun = Math.Max(longestRun, run + (now - last));
                run = 0;
                now = budget.ThrottledUntilNs;
                last = now;
                breaks++;
                continue;
            }
            budget.Quota(now, 5, 20 * Us);
            budget.Charge(now, now + (100 * Us));
            run += now + (100 * Us) - last;
            now += 115 * Us;
            last = now;
        }
        Assert.True(longestRun <= 900 * Us + 115 * Us, $"longest run {longestRun} ns");
        Assert.InRange(breaks, 90, 100);
        Assert.Equal(breaks, budget.Throttles);
        // A pause as long as the idle part is not charged: the next poll starts a slice of its own.
        var other = new CpuBudget(Ms, 0.9, 0);
        other.Charge(0, 400 * Us);
        other.Charge(500 * Us, 900 * Us);
        Assert.False(other.IsThrottled(900 * Us));
    }

    /// <summary>
    /// The poller wakes 150 µs after each throttle ends (a slow wake-up, longer than the slice's idle part): the next
    /// slice starts with its first poll, so every run is still at most the runtime. Started when the throttle ended,
    /// the slice lost the wake-up, ended before its runtime was used, and the one after it ran on without a break.
    /// </summary>
    [Fact]
    public void ASlowWakeUp_IsNotTakenFromTheNextRun()
    {
        const long cost = 20 * Us, wakeUp = 150 * Us;
        var budget = new CpuBudget(Ms, 0.9, 0);
        long now = 0, run = 0, longestRun = 0;
        while (now < 100 * Ms)
        {
            if (budget.IsThrottled(now))
            {
                longestRun = Math.Max(longestRun, run);
                run = 0;
                now = budget.ThrottledUntilNs + wakeUp;
                continue;
            }
            int quota = budget.Quota(now, 64, cost);
            budget.Charge(now, now + (quota * cost));
            run += quota * cost;
            now += quota * cost;
        }

        Assert.True(longestRun <= 900 * Us + cost, $"longest run {longestRun} ns");
    }

    /// <summary>
    /// A protected poll of 150 µs starts every break, longer than the break's 100 µs: the break ends that much later, so
    /// every slice still leaves others its idle part and the CPU is busy for at most a runtime and the protected poll at
    /// a stretch. Left as it was, the break ran out under the protected poll and the budgeted polls went on with the next
    /// slice's runtime: two runtimes back to back.
    /// </summary>
    [Fact]
    public void AProtectedPollInABreak_PushesTheBreakOut()
    {
        const long cost = 20 * Us, protectedPoll = 150 * Us;
        var budget = new CpuBudget(Ms, 0.9, 0);
        long now = 0, busySince = 0, longestBusy = 0, leastFree = long.MaxValue;
        while (now < 100 * Ms)
        {
            if (budget.IsThrottled(now))
            {
                budget.ChargeUnbudgeted(now, now + protectedPoll);
                now += protectedPoll;
                longestBusy = Math.Max(longestBusy, now - busySince);
                leastFree = Math.Min(leastFree, budget.ThrottledUntilNs - now);
                if (budget.ThrottledUntilNs > now)
                {
                    now = budget.ThrottledUntilNs;
                    busySince = now;
                }
                continue;
            }
            int quota = budget.Quota(now, 64, cost);
            budget.Charge(now, now + (quota * cost));
            now += quota * cost;
        }

        Assert.True(leastFree >= 100 * Us, $"least time left to others in a break {leastFree} ns");
        Assert.True(longestBusy <= 900 * Us + cost + protectedPoll, $"longest busy stretch {longestBusy} ns");
        // Outside a throttle a protected poll changes nothing.
        var other = new CpuBudget(Ms, 0.9, 0);
        other.Charge(0, 200 * Us);
        other.ChargeUnbudgeted(200 * Us, 400 * Us);
        Assert.False(other.IsThrottled(400 * Us));
        Assert.Equal(35, other.Quota(250 * Us, 64, 20 * Us));
    }

    /// <summary>
    /// Budgeted polls of 78 µs, 2 µs apart, and after the first ten a protected poll of 107 µs (its reply's loopback
    /// delivery included), longer than the slice's idle part: the budgeted polls after it go on with the slice's
    /// runtime, so the run ends after the runtime and the protected poll. Taken for a pause, the protected poll let a
    /// fresh slice start after it: 1.9 ms without a break.
    /// </summary>
    [Fact]
    public void AProtectedPollInARun_IsNoPause()
    {
        const long poll = 78 * Us, gap = 2 * Us, protectedPoll = 107 * Us;
        var budget = new CpuBudget(Ms, 0.9, 0);
        long start = 10 * Ms, now = start;
        for (int polls = 0; !budget.IsThrottled(now); polls++)
        {
            if (polls == 10)
            {
                budget.ChargeUnbudgeted(now, now + protectedPoll);
                now += protectedPoll + gap;
            }
            budget.Charge(now, now + poll);
            now += poll + gap;
            Assert.True(now - start < 2 * Ms, "no throttle in 2 ms");
        }

        Assert.InRange(now - start, 900 * Us, 900 * Us + protectedPoll + poll + (2 * gap));
    }

    /// <summary>
    /// On a CPU with a protected queue a budgeted poll reads at most 100 µs of work at the queue's cost per packet, at
    /// least one packet, never more than the budget's own quota, and its whole quota while the cost is not known.
    /// </summary>
    [Fact]
    public void ProtectedQuota_BoundsAPollToAShortRun()
    {
        Assert.Equal(5, CpuBudget.ProtectedQuota(64, 20 * Us));
        Assert.Equal(3, CpuBudget.ProtectedQuota(3, 20 * Us));
        Assert.Equal(1, CpuBudget.ProtectedQuota(64, 250 * Us));
        Assert.Equal(64, CpuBudget.ProtectedQuota(64, 1 * Us));
        Assert.Equal(64, CpuBudget.ProtectedQuota(64, 0));
    }
}
