using Softnet.Core;
using Softnet.Scheduling;

namespace Softnet.Cli.Options;

/// <summary>The real-time and overload-control options <c>run</c> and <c>serve</c> share.</summary>
internal sealed record OverloadOptions
{
    public const string Usage = """
          --rt-priority N             SCHED_FIFO priority 1..99 for ksoftirqd, backlog_napi and NAPI threads (default: SCHED_OTHER)
          --rt-priority-fallback      if SCHED_FIFO is refused, run SCHED_OTHER and say so instead of failing
        """;

    public int RtPriority { get; init; }

    public bool RtPriorityFallback { get; init; }

    /// <summary>Parses one of these options into a copy; null when <paramref name="name"/> is not one of them.</summary>
    public OverloadOptions? TryParse(string name, ArgReader reader) => name switch
    {
        "--rt-priority" => this with { RtPriority = reader.Int32(1, 99) },
        "--rt-priority-fallback" => this with { RtPriorityFallback = true },
        _ => null,
    };

    public NetStackOptions ApplyTo(NetStackOptions stack) => stack with
    {
        RtPriority = RtPriority,
        RtPriorityFallback = RtPriorityFallback,
    };

    /// <summary>The refusal as the command line words it: the flag, the missing permission, the way out.</summary>
    public static string Describe(RtPriorityRefusedException e) =>
        $"--rt-priority {e.Priority}: sched_setscheduler SCHED_FIFO refused with {e.ErrnoName}: needs CAP_SYS_NICE "
        + $"or RLIMIT_RTPRIO >= {e.Priority} (ulimit -r); add --rt-priority-fallback to run SCHED_OTHER instead";
}
