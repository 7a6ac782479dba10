using System.Diagnostics;
using Softnet.Scheduling;

namespace Softnet.Tests.Scheduling;

/// <summary>
/// cond_resched on the real platform: a SCHED_OTHER packet thread leaves preemption to the kernel. Beside a CPU-bound
/// thread on the same CPU, a sched_yield would switch to it on every call (and give it the CPU until the next tick);
/// without one the caller is switched out only when the scheduler preempts it.
/// </summary>
public sealed class CondReschedTests
{
    private const int Calls = 200;

    [Fact]
    public void UnderTheFairScheduler_CondResched_DoesNotGiveTheCpuToARunnableNeighbour()
    {
        var platform = SystemPlatform.Instance;
        int cpu = platform.AllowedOsCpus()[^1];
        bool stop = false;
        bool spinning = false;
        var deadline = Stopwatch.StartNew();
        var spinner = platform.StartThread("condresched-spin", cpu, () =>
        {
            Volatile.Write(ref spinning, true);
            while (!Volatile.Read(ref stop) && deadline.Elapsed < TimeSpan.FromSeconds(10))
                Thread.SpinWait(100);
        });
        long switches = -1;
        bool sameCpu = false;
        var caller = platform.StartThread("condresched-call", cpu, () =>
        {
            while (!Volatile.Read(ref spinning))
                Thread.SpinWait(100);
            long before = ContextSwitches();
            for (int i = 0; i < Calls; i++)
                platform.CondResched();
            switches = ContextSwitches() - before;
            sameCpu = platform.CurrentOsCpu() == cpu;
        });
        caller.Join(TimeSpan.FromSeconds(30));
        Volatile.Write(ref stop, true);
        spinner.Join(TimeSpan.FromSeconds(30));

        Assert.True(spinner.Pinned && caller.Pinned && sameCpu, "both threads must share one CPU for the test to mean anything");
        // A yield per call would switch about Calls times; a handful of tick preemptions is all the scheduler adds.
        Assert.InRange(switches, 0, Calls / 10);
    }

    /// <summary>The calling thread's context switches so far, voluntary and not (/proc/thread-self/status).</summary>
    private static long ContextSwitches()
    {
        long total = 0;
        foreach (string line in File.ReadLines("/proc/thread-self/status"))
        {
            if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                total += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        return total;
    }
}
