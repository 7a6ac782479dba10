using System.Runtime.InteropServices;
using Softnet.Interop;

namespace Softnet.Scheduling;

/// <summary>
/// The opt-in real-time policy of a stack's packet threads (ksoftirqd/N, backlog_napi/N, napi/&lt;dev&gt;-&lt;id&gt;):
/// SCHED_FIFO at <c>NetStackOptions.RtPriority</c>, set by each thread on itself as it starts. Permission is
/// probed once, on a short-lived thread, before the stack starts anything: a refusal either stops the stack from
/// being created or, with <c>NetStackOptions.RtPriorityFallback</c>, leaves every thread SCHED_OTHER.
/// SCHED_RESET_ON_FORK keeps the policy from leaking into threads a handler creates (the thread pool's, say).
/// With <c>NetStackOptions.OverloadDemote</c> a thread also demotes itself to SCHED_OTHER while the CPU it
/// polls for is overloaded, and takes SCHED_FIFO back once that CPU is normal again (<see cref="Follow"/>).
/// </summary>
internal sealed class RealtimeThreads
{
    [ThreadStatic]
    private static bool t_demoted;

    private readonly int _priority;
    private readonly bool _demote;
    private readonly ulong _sliceNs;
    private long _demotions;

    private RealtimeThreads(int priority, bool granted, bool demote, TimeSpan? slice)
    {
        _priority = priority;
        Granted = granted;
        _demote = granted && demote;
        _sliceNs = slice is { } s ? (ulong)s.TotalNanoseconds : 0;
    }

    /// <summary>Times a packet thread dropped from SCHED_FIFO to SCHED_OTHER because its CPU was overloaded.</summary>
    public long Demotions => Volatile.Read(ref _demotions);

    /// <summary>Whether the stack's threads run SCHED_FIFO.</summary>
    public bool Granted { get; }

    /// <summary>The policy the stack's packet threads are meant to have.</summary>
    public ThreadPolicy Wanted => Granted ? ThreadPolicy.Fifo(_priority) : ThreadPolicy.Other;

    /// <summary>Probes permission for <paramref name="priority"/> (0: off); throws <see cref="RtPriorityRefusedException"/> when refused without <paramref name="fallback"/>.</summary>
    public static RealtimeThreads Start(IPlatform platform, int priority, bool fallback, bool demote, TimeSpan? slice, Action<string> log)
    {
        if (priority == 0)
            return new RealtimeThreads(0, false, demote, slice);
        int errno = 0;
        var probe = platform.StartThread("softnet-rtprobe", -1, () => errno = SetFifo(priority));
        probe.Join(Timeout.InfiniteTimeSpan);
        if (errno == 0)
            return new RealtimeThreads(priority, true, demote, slice);
        if (!fallback)
            throw new RtPriorityRefusedException(priority, errno);
        log($"RtPriority {priority}: SCHED_FIFO refused ({Errno.Describe(errno)}; needs CAP_SYS_NICE or RLIMIT_RTPRIO >= {priority}): the stack's threads run SCHED_OTHER");
        return new RealtimeThreads(priority, false, demote, slice);
    }

    /// <summary>
    /// Gives the calling thread the stack's policy: SCHED_FIFO, or SCHED_OTHER with the requested EEVDF slice; returns
    /// 0 or the errno (a thread that fails runs SCHED_OTHER with the default slice).
    /// </summary>
    public int ApplyToCurrentThread() => Granted ? SetFifo(_priority) : _sliceNs > 0 ? SetOther() : 0;

    /// <summary>
    /// Called by a packet thread between rounds: while the CPU it polls for is overloaded it runs SCHED_OTHER, so the
    /// scheduler shares the CPU fairly again (the seed discussion's demotion); once that CPU is normal it is SCHED_FIFO
    /// again. Pressured changes nothing (hysteresis). A syscall only on a change.
    /// </summary>
    public void Follow(Overload.OverloadState state)
    {
        if (!_demote)
            return;
        if (!t_demoted && state == Overload.OverloadState.Overloaded)
        {
            if (SetOther() == 0)
            {
                t_demoted = true;
                Interlocked.Increment(ref _demotions);
            }
        }
        else if (t_demoted && state == Overload.OverloadState.Normal && SetFifo(_priority) == 0)
        {
            t_demoted = false;
        }
    }

    /// <summary>SCHED_OTHER at nice 0, with the slice when one is set (sched_attr's sched_runtime, Linux 6.12+: the EEVDF request size).</summary>
    private unsafe int SetOther()
    {
        if (_sliceNs == 0)
        {
            Libc.SchedParam param = default;
            return Libc.SchedSetScheduler(0, Libc.SCHED_OTHER | Libc.SCHED_RESET_ON_FORK, &param) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        var attr = new Libc.SchedAttr
        {
            Size = (uint)sizeof(Libc.SchedAttr),
            SchedPolicy = Libc.SCHED_OTHER,
            SchedFlags = Libc.SCHED_FLAG_RESET_ON_FORK,
            SchedRuntime = _sliceNs,
        };
        return Libc.SchedSetattr(0, &attr) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private static unsafe int SetFifo(int priority)
    {
        var param = new Libc.SchedParam { Priority = priority };
        return Libc.SchedSetScheduler(0, Libc.SCHED_FIFO | Libc.SCHED_RESET_ON_FORK, &param) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
