using System.Runtime.InteropServices;
using Softnet.Core;
using Softnet.Interop;

namespace Softnet.Scheduling;

/// <summary>
/// The opt-in real-time policy of a stack's packet threads (ksoftirqd/N, backlog_napi/N, napi/&lt;dev&gt;-&lt;id&gt;):
/// SCHED_FIFO at <see cref="NetStackOptions.RtPriority"/>, set by each thread on itself as it starts. Permission is
/// probed once, on a short-lived thread, before the stack starts anything: a refusal either stops the stack from
/// being created or, with <see cref="NetStackOptions.RtPriorityFallback"/>, leaves every thread SCHED_OTHER.
/// SCHED_RESET_ON_FORK keeps the policy from leaking into threads a handler creates (the thread pool's, say).
/// </summary>
internal sealed class RealtimeThreads
{
    private readonly int _priority;

    private RealtimeThreads(int priority, bool granted)
    {
        _priority = priority;
        Granted = granted;
    }

    /// <summary>Whether the stack's threads run SCHED_FIFO.</summary>
    public bool Granted { get; }

    /// <summary>The policy the stack's packet threads are meant to have.</summary>
    public ThreadPolicy Wanted => Granted ? ThreadPolicy.Fifo(_priority) : ThreadPolicy.Other;

    /// <summary>Probes permission for the options' priority; throws <see cref="RtPriorityRefusedException"/> when refused without fallback.</summary>
    public static RealtimeThreads Start(NetStackOptions options, Action<string> log)
    {
        if (options.RtPriority == 0)
            return new RealtimeThreads(0, false);
        int errno = 0;
        var probe = options.Platform.StartThread("softnet-rtprobe", -1, () => errno = SetFifo(options.RtPriority));
        probe.Join(Timeout.InfiniteTimeSpan);
        if (errno == 0)
            return new RealtimeThreads(options.RtPriority, true);
        if (!options.RtPriorityFallback)
            throw new RtPriorityRefusedException(options.RtPriority, errno);
        log($"RtPriority {options.RtPriority}: SCHED_FIFO refused ({Errno.Describe(errno)}; needs CAP_SYS_NICE or RLIMIT_RTPRIO >= {options.RtPriority}): the stack's threads run SCHED_OTHER");
        return new RealtimeThreads(options.RtPriority, false);
    }

    /// <summary>Gives the calling thread the stack's policy; returns 0 or the errno (a thread that fails runs SCHED_OTHER).</summary>
    public int ApplyToCurrentThread() => Granted ? SetFifo(_priority) : 0;

    private static unsafe int SetFifo(int priority)
    {
        var param = new Libc.SchedParam { Priority = priority };
        return Libc.SchedSetScheduler(0, Libc.SCHED_FIFO | Libc.SCHED_RESET_ON_FORK, &param) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
