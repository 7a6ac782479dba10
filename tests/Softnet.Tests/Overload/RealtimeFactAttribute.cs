namespace Softnet.Tests.Overload;

/// <summary>A fact that needs SCHED_FIFO to be permitted (CAP_SYS_NICE or RLIMIT_RTPRIO); skipped, saying so, where it is not.</summary>
public sealed class RealtimeFactAttribute : FactAttribute
{
    public RealtimeFactAttribute()
    {
        if (!Permitted.Value)
            Skip = "SCHED_FIFO is not permitted here (needs CAP_SYS_NICE or RLIMIT_RTPRIO >= 10)";
    }

    private static readonly Lazy<bool> Permitted = new(() =>
    {
        bool ok = false;
        // A throwaway thread: the policy it gets dies with it.
        var probe = new Thread(() => ok = TrySetFifo());
        probe.Start();
        probe.Join();
        return ok;
    });

    private static unsafe bool TrySetFifo()
    {
        var param = new Interop.Libc.SchedParam { Priority = 10 };
        return Interop.Libc.SchedSetScheduler(0, Interop.Libc.SCHED_FIFO, &param) == 0;
    }
}
