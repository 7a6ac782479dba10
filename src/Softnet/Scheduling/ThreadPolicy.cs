using Softnet.Interop;

namespace Softnet.Scheduling;

/// <summary>A thread's scheduling policy and static priority as the kernel reports them (<c>chrt -p</c>).</summary>
public readonly record struct ThreadPolicy(string Policy, int Priority)
{
    /// <summary>SCHED_OTHER, the default time-sharing policy (priority 0).</summary>
    public static readonly ThreadPolicy Other = new("other", 0);

    /// <summary>SCHED_FIFO at static priority <paramref name="priority"/>.</summary>
    public static ThreadPolicy Fifo(int priority) => new("fifo", priority);

    /// <summary>The live policy of OS thread <paramref name="tid"/> of this process; null when it cannot be read (the thread is gone).</summary>
    public static unsafe ThreadPolicy? Read(int tid)
    {
        if (tid <= 0)
            return null;
        int policy = Libc.SchedGetScheduler(tid);
        if (policy < 0)
            return null;
        Libc.SchedParam param = default;
        if (Libc.SchedGetParam(tid, &param) != 0)
            return null;
        return new ThreadPolicy(Name(policy & ~Libc.SCHED_RESET_ON_FORK), param.Priority);
    }

    /// <summary>The policy as <c>chrt</c> names it, followed by the priority when it is not 0 (<c>fifo 50</c>, <c>other</c>).</summary>
    public override string ToString() => Priority == 0 ? Policy : $"{Policy} {Priority}";

    private static string Name(int policy) => policy switch
    {
        Libc.SCHED_OTHER => "other",
        Libc.SCHED_FIFO => "fifo",
        2 => "rr",
        3 => "batch",
        5 => "idle",
        6 => "deadline",
        _ => $"policy {policy}",
    };
}
