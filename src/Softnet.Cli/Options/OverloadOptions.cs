using Softnet.Core;
using Softnet.Overload;
using Softnet.Scheduling;

namespace Softnet.Cli.Options;

/// <summary>The real-time and overload-control options <c>run</c> and <c>serve</c> share.</summary>
internal sealed record OverloadOptions
{
    public int RtPriority { get; init; }

    public bool RtPriorityFallback { get; init; }

    public OverloadMode Overload { get; init; }

    public int OverloadCpuShare { get; init; } = 90;

    public bool OverloadDemote { get; init; }

    /// <summary>Microseconds the handler spins per datagram, to make the receiver the bottleneck on purpose.</summary>
    public int WorkUs { get; init; }

    public NetStackOptions ApplyTo(NetStackOptions stack) => stack with
    {
        RtPriority = RtPriority,
        RtPriorityFallback = RtPriorityFallback,
        Overload = Overload,
        OverloadCpuShare = OverloadCpuShare,
        OverloadDemote = OverloadDemote,
    };

    /// <summary>The refusal as the command line words it: the flag, the missing permission, the way out.</summary>
    public static string Describe(RtPriorityRefusedException e) =>
        $"--rt-priority {e.Priority}: sched_setscheduler SCHED_FIFO refused with {e.ErrnoName}: needs CAP_SYS_NICE "
        + $"or RLIMIT_RTPRIO >= {e.Priority} (ulimit -r); add --rt-priority-fallback to run SCHED_OTHER instead";
}
