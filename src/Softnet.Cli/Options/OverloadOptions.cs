using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Overload;
using Softnet.Scheduling;

namespace Softnet.Cli.Options;

/// <summary>The real-time and overload-control options <c>run</c> and <c>serve</c> share.</summary>
internal sealed record OverloadOptions
{
    public const string Usage = """
          --rt-priority N             SCHED_FIFO priority 1..99 for ksoftirqd, backlog_napi and NAPI threads (default: SCHED_OTHER)
          --rt-priority-fallback      if SCHED_FIFO is refused, run SCHED_OTHER and say so instead of failing
          --overload MODE             off | auto: auto stops the packet threads for the rest of a 10 ms period once
                                      they used --overload-cpu-share of it (default off: detect and report only)
          --overload-cpu-share P      percent of each CPU the packet threads may poll per period, 1..100 (default 90)
          --overload-demote           with --rt-priority: run SCHED_OTHER while the CPU is overloaded, FIFO when normal
          --overload-shed P           with auto: percent of the unprotected datagrams the kernel sheds (reuseport
                                      program, before any socket buffer) while a queue is overloaded, 0..100 (default 0)
          --protect SRC[/PREFIX][:PORT[-PORT]]
                                      repeatable, at most 8: datagrams from these sources get a queue of their own,
                                      steered by the kernel, polled first, exempt from the CPU budget, never shed
                                      (e.g. --protect 127.0.0.1:7000 --protect [::1] --protect 10.0.0.0/24:5000-5099)
          --work-us N                 synthetic handler cost: spin N µs per datagram, 0..100000 (default 0)
        """;

    public int RtPriority { get; init; }

    public bool RtPriorityFallback { get; init; }

    public OverloadMode Overload { get; init; }

    public int OverloadCpuShare { get; init; } = 90;

    public bool OverloadDemote { get; init; }

    /// <summary>Percent shed by the kernel while overloaded (<c>--overload-shed</c>).</summary>
    public int OverloadShed { get; init; }

    /// <summary>The <c>--protect</c> sources, in the order given.</summary>
    public IReadOnlyList<ProtectedFlow> Protect { get; init; } = [];

    /// <summary>Microseconds the handler spins per datagram, to make the receiver the bottleneck on purpose.</summary>
    public int WorkUs { get; init; }

    /// <summary>Parses one of these options into a copy; null when <paramref name="name"/> is not one of them.</summary>
    public OverloadOptions? TryParse(string name, ArgReader reader) => name switch
    {
        "--rt-priority" => this with { RtPriority = reader.Int32(1, 99) },
        "--rt-priority-fallback" => this with { RtPriorityFallback = true },
        "--overload" => this with { Overload = OverloadModes.TryParse(reader.OneOf("off", "auto"), out var mode) ? mode : OverloadMode.Off },
        "--overload-cpu-share" => this with { OverloadCpuShare = reader.Int32(1, 100) },
        "--overload-demote" => this with { OverloadDemote = true },
        "--work-us" => this with { WorkUs = reader.Int32(0, 100_000) },
        "--overload-shed" => this with { OverloadShed = reader.Int32(0, 100) },
        "--protect" => this with { Protect = [.. Protect, ParseProtect(reader.Value())] },
        _ => null,
    };

    public NetStackOptions ApplyTo(NetStackOptions stack) => stack with
    {
        RtPriority = RtPriority,
        RtPriorityFallback = RtPriorityFallback,
        Overload = Overload,
        OverloadCpuShare = OverloadCpuShare,
        OverloadDemote = OverloadDemote,
    };

    /// <summary>The device's share of these options: protected sources and the shed share.</summary>
    public UdpDeviceOptions ApplyToDevice(UdpDeviceOptions device) => device with
    {
        Protected = Protect,
        ShedShare = OverloadShed,
    };

    private ProtectedFlow ParseProtect(string text)
    {
        if (Protect.Count == ProtectedFlow.MaxPerDevice)
            throw new UsageException($"--protect can be given at most {ProtectedFlow.MaxPerDevice} times");
        return ProtectedFlow.TryParse(text, out var flow, out string error)
            ? flow!
            : throw new UsageException($"--protect must be {ProtectedFlow.Syntax}: {error} (got '{text}')");
    }

    /// <summary>The refusal as the command line words it: the flag, the missing permission, the way out.</summary>
    public static string Describe(RtPriorityRefusedException e) =>
        $"--rt-priority {e.Priority}: sched_setscheduler SCHED_FIFO refused with {e.ErrnoName}: needs CAP_SYS_NICE "
        + $"or RLIMIT_RTPRIO >= {e.Priority} (ulimit -r); add --rt-priority-fallback to run SCHED_OTHER instead";
}
