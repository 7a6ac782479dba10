using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Overload;
using Softnet.Scheduling;

namespace Softnet.Cli.Options;

/// <summary>The real-time and overload-control options <c>run</c> and <c>serve</c> share.</summary>
internal sealed record OverloadOptions
{
    public int RtPriority { get; init; }

    public bool RtPriorityFallback { get; init; }

    /// <summary>The packet threads' EEVDF slice in µs (<c>--sched-slice-us</c>); 0 leaves the kernel's.</summary>
    public int SchedSliceUs { get; init; }

    /// <summary>The <c>--housekeeping-cpus</c> list, checked against the CPUs this process may run on; null for none.</summary>
    public string? HousekeepingCpus { get; init; }

    public OverloadMode Overload { get; init; }

    public int OverloadCpuShare { get; init; } = 90;

    /// <summary>The CPU budget's slice in µs (<c>--overload-slice-us</c>); 0 leaves the library's choice.</summary>
    public int OverloadSliceUs { get; init; }

    public bool OverloadDemote { get; init; }

    /// <summary>Percent shed by the kernel while overloaded (<c>--overload-shed</c>).</summary>
    public int OverloadShed { get; init; }

    /// <summary>The <c>--protect</c> sources, in the order given.</summary>
    public IReadOnlyList<ProtectedFlow> Protect { get; init; } = [];

    /// <summary>Microseconds the handler spins per datagram, to make the receiver the bottleneck on purpose.</summary>
    public int WorkUs { get; init; }

    public NetStackOptions ApplyTo(NetStackOptions stack) => stack with
    {
        RtPriority = RtPriority,
        RtPriorityFallback = RtPriorityFallback,
        HousekeepingCpus = HousekeepingCpus,
        SchedSlice = SchedSliceUs > 0 ? TimeSpan.FromMicroseconds(SchedSliceUs) : null,
        Overload = Overload,
        OverloadCpuShare = OverloadCpuShare,
        OverloadBudgetSlice = OverloadSliceUs > 0 ? TimeSpan.FromMicroseconds(OverloadSliceUs) : null,
        OverloadDemote = OverloadDemote,
    };

    /// <summary>The device's share of these options: protected sources and the shed share.</summary>
    public UdpDeviceOptions ApplyToDevice(UdpDeviceOptions device) => device with
    {
        Protected = Protect,
        ShedShare = OverloadShed,
    };

    /// <summary>The refusal as the command line words it: the flag, the missing permission, the way out.</summary>
    public static string Describe(RtPriorityRefusedException e) =>
        $"--rt-priority {e.Priority}: sched_setscheduler SCHED_FIFO refused with {e.ErrnoName}: needs CAP_SYS_NICE "
        + $"or RLIMIT_RTPRIO >= {e.Priority} (ulimit -r); add --rt-priority-fallback to run SCHED_OTHER instead";
}
