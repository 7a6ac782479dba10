namespace Softnet.Hosting;

/// <summary>
/// The <c>Softnet</c> configuration section: the stack's knobs as <see cref="Core.NetStackOptions"/> names them, and
/// an optional UDP device. A knob left unset keeps the library's default; ranges are the library's, checked at start.
/// </summary>
public sealed class SoftnetOptions
{
    /// <summary>The configuration section <see cref="SoftnetServiceCollectionExtensions.AddSoftnet(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration?, Action{SoftnetOptions}?)"/> reads by convention.</summary>
    public const string SectionName = "Softnet";

    /// <summary>Logical CPUs (softnet_data instances).</summary>
    public int? Cpus { get; set; }

    /// <summary>How a remote CPU is kicked: <c>softirq</c> or <c>backlog-threads</c>.</summary>
    public string? Mode { get; set; }

    /// <summary>net.core.netdev_max_backlog.</summary>
    public int? NetdevMaxBacklog { get; set; }

    /// <summary>net.core.netdev_budget.</summary>
    public int? NetdevBudget { get; set; }

    /// <summary>net.core.netdev_budget_usecs.</summary>
    public int? NetdevBudgetUsecs { get; set; }

    /// <summary>net.core.dev_weight.</summary>
    public int? DevWeight { get; set; }

    /// <summary>rps_cpus for every new RX queue (hex mask or CPU list).</summary>
    public string? RpsCpus { get; set; }

    /// <summary>net.core.flow_limit_cpu_bitmap (hex mask or CPU list).</summary>
    public string? FlowLimit { get; set; }

    /// <summary>net.core.flow_limit_table_len.</summary>
    public int? FlowLimitTableLen { get; set; }

    /// <summary>net.core.skb_defer_max.</summary>
    public int? SkbDeferMax { get; set; }

    /// <summary>Bytes per packet buffer.</summary>
    public int? PacketBufferSize { get; set; }

    /// <summary>Packets preallocated per CPU.</summary>
    public int? PacketPoolSize { get; set; }

    /// <summary>Most packets a CPU's pool may hold.</summary>
    public int? PacketPoolLimit { get; set; }

    /// <summary>Pin each CPU's threads to an OS CPU.</summary>
    public bool? Pin { get; set; }

    /// <summary>How long stopping lets queued packets be delivered; capped by the host's shutdown timeout.</summary>
    public TimeSpan? ShutdownDrainTimeout { get; set; }

    /// <summary>SCHED_FIFO priority of the packet threads (0 = SCHED_OTHER).</summary>
    public int? RtPriority { get; set; }

    /// <summary>Run SCHED_OTHER (and log it once) when SCHED_FIFO is refused, instead of failing the start.</summary>
    public bool? RtPriorityFallback { get; set; }

    /// <summary>The EEVDF slice SCHED_OTHER packet threads ask for (Linux 6.12+); unset, the kernel's default.</summary>
    public TimeSpan? SchedSlice { get; set; }

    /// <summary>OS CPUs (list form, <c>0-1,3</c>) for every thread that is not a packet thread; the packet threads run on the other allowed CPUs.</summary>
    public string? HousekeepingCpus { get; set; }

    /// <summary>What the stack does about overload: <c>off</c> or <c>auto</c>.</summary>
    public string? Overload { get; set; }

    /// <summary>Share of each overload period the packet threads may poll, in percent.</summary>
    public int? OverloadCpuShare { get; set; }

    /// <summary>Let an overloaded SCHED_FIFO packet thread demote itself.</summary>
    public bool? OverloadDemote { get; set; }

    /// <summary>The overload detector's period.</summary>
    public TimeSpan? OverloadPeriod { get; set; }

    /// <summary>The CPU budget's slice.</summary>
    public TimeSpan? OverloadBudgetSlice { get; set; }

    /// <summary>The overload detector's watermarks and dwell times; unset ones keep the library's defaults.</summary>
    public SoftnetOverloadThresholdsOptions? OverloadThresholds { get; set; }

    /// <summary>Publish the stack's counters through the <c>Softnet</c> meter (on by default).</summary>
    public bool? Metrics { get; set; }

    /// <summary>Where the admin endpoint listens, when <see cref="SoftnetServiceCollectionExtensions.AddSoftnetAdmin"/> is called without options.</summary>
    public SoftnetAdminOptions? Admin { get; set; }

    /// <summary>The UDP device; none when the section is absent.</summary>
    public SoftnetUdpOptions? Udp { get; set; }
}
