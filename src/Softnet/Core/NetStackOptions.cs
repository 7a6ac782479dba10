using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Softnet.Overload;
using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>
/// The stack's knobs, named after the sysctls they mirror. Values are checked by <see cref="Validate"/>; an
/// invalid one fails with an <see cref="ArgumentOutOfRangeException"/> naming the option and its allowed range.
/// </summary>
public sealed record NetStackOptions
{
    /// <summary>Logical CPUs (softnet_data instances). Default: the CPUs this process may use.</summary>
    public int Cpus { get; init; } = Environment.ProcessorCount;

    /// <summary>thread_backlog_napi: how a remote CPU is kicked.</summary>
    public KickMode Mode { get; init; } = KickMode.Softirq;

    /// <summary>net.core.netdev_max_backlog: per-CPU input queue admission limit.</summary>
    public int NetdevMaxBacklog { get; init; } = 1000;

    /// <summary>net.core.netdev_budget: packets per net_rx_action pass.</summary>
    public int NetdevBudget { get; init; } = 300;

    /// <summary>net.core.netdev_budget_usecs: time per net_rx_action pass.</summary>
    public int NetdevBudgetUsecs { get; init; } = 2000;

    /// <summary>net.core.dev_weight: the backlog NAPI's quota per poll, and the default NAPI weight.</summary>
    public int DevWeight { get; init; } = 64;

    /// <summary>rps_cpus given to every new RX queue (rps_default_mask); empty = RPS off.</summary>
    public string RpsCpus { get; init; } = "";

    /// <summary>net.core.flow_limit_cpu_bitmap: CPUs whose enqueues apply flow limit; empty = off.</summary>
    public string FlowLimit { get; init; } = "";

    /// <summary>net.core.flow_limit_table_len: buckets per flow-limit table (a power of two).</summary>
    public int FlowLimitTableLen { get; init; } = 4096;

    /// <summary>net.core.skb_defer_max: per-CPU deferred-free list cap; 0 frees remotely-freed packets directly.</summary>
    public int SkbDeferMax { get; init; } = 64;

    /// <summary>Bytes per packet buffer.</summary>
    public int PacketBufferSize { get; init; } = 2048;

    /// <summary>
    /// Packets preallocated per CPU. With at least <see cref="InFlightPacketsPerCpu"/> (plus the devices' receive
    /// rings) per CPU, no flood makes a pool allocate: a dry pool takes free packets from the others first.
    /// </summary>
    public int PacketPoolSize { get; init; } = 2048;

    /// <summary>
    /// The most packets one CPU's share of the stack keeps out of the pools: its backlog's input and process queues
    /// (netdev_max_backlog each), its deferred-free list (skb_defer_max), a poll's batch (dev_weight, at least 64)
    /// and a sender's batch (64). Devices' receive rings come on top.
    /// </summary>
    public int InFlightPacketsPerCpu => (2 * (NetdevMaxBacklog + 1)) + SkbDeferMax + Math.Max(DevWeight, 64) + 64;

    /// <summary>Most packets a CPU's pool may ever hold; past it allocation fails and the packet is dropped (nomem).</summary>
    public int PacketPoolLimit { get; init; } = 1 << 20;

    /// <summary>Pin each CPU's threads to an OS CPU with sched_setaffinity (best effort).</summary>
    public bool Pin { get; init; } = true;

    /// <summary>
    /// OS CPUs in list form (<c>0</c>, <c>0-1,3</c>) for every thread of the process that is not a packet thread — the
    /// thread pool, the admin server, timers, the main thread, the runtime's own threads — as the kernel's
    /// housekeeping cpumask (<c>isolcpus=</c>, <c>nohz_full=</c>) keeps such work off isolated CPUs. The packet threads
    /// then run on the allowed CPUs outside the list, stack CPU i on the i-th of them (wrapping). Null: no confinement,
    /// and the stack's CPUs map onto all the allowed CPUs.
    /// </summary>
    public string? HousekeepingCpus { get; init; }

    /// <summary>How long <see cref="NetStack.Dispose"/> lets the threads deliver what is queued before counting the rest as shutdown drops.</summary>
    public TimeSpan ShutdownDrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// SCHED_FIFO priority (1..99) for the stack's packet threads (ksoftirqd, backlog_napi, NAPI threads); 0 = the
    /// default SCHED_OTHER. Needs CAP_SYS_NICE or RLIMIT_RTPRIO: without either the stack refuses to start
    /// (<see cref="RtPriorityRefusedException"/>) unless <see cref="RtPriorityFallback"/> is set.
    /// </summary>
    public int RtPriority { get; init; }

    /// <summary>
    /// The EEVDF slice a SCHED_OTHER packet thread asks for (sched_setattr's sched_runtime, Linux 6.12+; 100 µs to
    /// 100 ms): how long it runs before a task with an earlier deadline takes the CPU, and how soon after a wake-up it
    /// gets the CPU. Null: the kernel's default (base_slice_ns). Ignored while a thread runs SCHED_FIFO.
    /// </summary>
    public TimeSpan? SchedSlice { get; init; }

    /// <summary>When SCHED_FIFO is refused, run the threads SCHED_OTHER and log it once instead of failing.</summary>
    public bool RtPriorityFallback { get; init; }

    /// <summary>
    /// Overload control: <see cref="OverloadMode.Off"/> detects and reports only; <see cref="OverloadMode.Auto"/> also
    /// enforces the CPU budget (<see cref="OverloadCpuShare"/> of every <see cref="EffectiveOverloadBudgetSlice"/>).
    /// </summary>
    public OverloadMode Overload { get; init; } = OverloadMode.Off;

    /// <summary>Percent of each CPU per budget slice the packet threads may spend polling; the CPU-share signal is measured against it.</summary>
    public int OverloadCpuShare { get; init; } = 90;

    /// <summary>
    /// With <see cref="RtPriority"/>: a SCHED_FIFO packet thread runs SCHED_OTHER while the CPU it polls for is
    /// overloaded and SCHED_FIFO again once that CPU is normal. Off by default: a demoted thread competes with every
    /// other task for the CPU exactly when the packets need it.
    /// </summary>
    public bool OverloadDemote { get; init; }

    /// <summary>The period of the detector's rates (CPU share, drops, time_squeeze).</summary>
    public TimeSpan OverloadPeriod { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The CPU budget's slice (<see cref="OverloadMode.Auto"/>): the packet threads may poll <see cref="OverloadCpuShare"/>
    /// percent of every slice, so they hold a CPU for about share × slice at most before giving it away for the rest.
    /// Unset, it is 1 ms for SCHED_FIFO packet threads (<see cref="RtPriority"/>), and SCHED_OTHER ones have no budget
    /// (<see cref="EffectiveOverloadBudgetSlice"/>).
    /// </summary>
    public TimeSpan? OverloadBudgetSlice { get; init; }

    /// <summary>
    /// The budget's slice in force, null for no budget: <see cref="OverloadBudgetSlice"/> when set, else 1 ms with
    /// <see cref="RtPriority"/> and none without, as the kernel's RT throttling limits only the real-time class. The
    /// fair scheduler already shares the CPU among SCHED_OTHER threads, and every throttle of one hands the competing
    /// tasks a whole scheduler slice, not just the budget's break.
    /// </summary>
    public TimeSpan? EffectiveOverloadBudgetSlice => OverloadBudgetSlice ?? (RtPriority > 0 ? TimeSpan.FromMilliseconds(1) : null);

    /// <summary>The detector's watermarks and dwell times.</summary>
    public OverloadThresholds OverloadThresholds { get; init; } = new();

    /// <summary>Threads, clocks and waits; replace only to drive the engine deterministically in tests.</summary>
    public IPlatform Platform { get; init; } = SystemPlatform.Instance;

    /// <summary>
    /// Where operational messages (pinning refused, handler errors, overload transitions) go: the <c>Softnet</c>
    /// category, as warnings. Default: no logger, so the library writes nothing to the console by itself.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The same messages as plain text, for a caller without a logger; when set it replaces <see cref="LoggerFactory"/>.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Called when a handler throws (the batch is counted as dropped, reason handler).</summary>
    public Action<Exception>? OnHandlerError { get; init; }

    /// <summary>
    /// Publish the stack's counters as the <c>Softnet</c> meter (<see cref="NetStack.Metrics"/>) for its lifetime, and
    /// count the delivery-latency histogram; off, neither (one clock read per delivered batch less).
    /// </summary>
    public bool Metrics { get; init; } = true;

    /// <summary>Creates the <c>Softnet</c> meter (a host's <c>IMeterFactory</c>); default: a meter of the stack's own.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Checks every option against its allowed range and throws <see cref="ArgumentOutOfRangeException"/> naming the first that is out of it.</summary>
    public void Validate()
    {
        Range(nameof(Cpus), Cpus, 1, 1024);
        Range(nameof(NetdevMaxBacklog), NetdevMaxBacklog, 1, 1 << 24);
        Range(nameof(NetdevBudget), NetdevBudget, 1, 1 << 20);
        Range(nameof(NetdevBudgetUsecs), NetdevBudgetUsecs, 1, 1_000_000);
        Range(nameof(DevWeight), DevWeight, 1, 4096);
        Range(nameof(FlowLimitTableLen), FlowLimitTableLen, 1, 1 << 20);
        if ((FlowLimitTableLen & (FlowLimitTableLen - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(FlowLimitTableLen), FlowLimitTableLen, $"{nameof(FlowLimitTableLen)} must be a power of two between 1 and {1 << 20}");
        Range(nameof(RtPriority), RtPriority, 0, 99);
        Range(nameof(OverloadCpuShare), OverloadCpuShare, 1, 100);
        if (OverloadPeriod < TimeSpan.FromMilliseconds(1) || OverloadPeriod > TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(OverloadPeriod), OverloadPeriod, $"{nameof(OverloadPeriod)} must be between 1 ms and 1 s");
        if (OverloadBudgetSlice is { } slice && (slice < TimeSpan.FromMicroseconds(100) || slice > OverloadPeriod))
            throw new ArgumentOutOfRangeException(nameof(OverloadBudgetSlice), OverloadBudgetSlice, $"{nameof(OverloadBudgetSlice)} must be between 100 µs and {nameof(OverloadPeriod)} ({OverloadPeriod.TotalMilliseconds} ms)");
        if (SchedSlice is { } schedSlice && (schedSlice < TimeSpan.FromMicroseconds(100) || schedSlice > TimeSpan.FromMilliseconds(100)))
            throw new ArgumentOutOfRangeException(nameof(SchedSlice), SchedSlice, $"{nameof(SchedSlice)} must be between 100 µs and 100 ms (got {schedSlice.TotalMicroseconds} µs)");
        if (!Enum.IsDefined(Overload))
            throw new ArgumentOutOfRangeException(nameof(Overload), Overload, $"{nameof(Overload)} must be Off or Auto");
        OverloadThresholds.Validate();
        Range(nameof(SkbDeferMax), SkbDeferMax, 0, 1 << 20);
        Range(nameof(PacketBufferSize), PacketBufferSize, 64, 1 << 16);
        Range(nameof(PacketPoolSize), PacketPoolSize, 0, 1 << 22);
        Range(nameof(PacketPoolLimit), PacketPoolLimit, Math.Max(PacketPoolSize, 64), 1 << 24);
        if (ShutdownDrainTimeout < TimeSpan.Zero || ShutdownDrainTimeout > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(ShutdownDrainTimeout), ShutdownDrainTimeout, $"{nameof(ShutdownDrainTimeout)} must be between 0 and 10 minutes");
        Steering.CpuMask.Parse(RpsCpus, Cpus, nameof(RpsCpus));
        Steering.CpuMask.Parse(FlowLimit, Cpus, nameof(FlowLimit));
        if (HousekeepingCpus is not null)
            CpuList.SplitHousekeeping(HousekeepingCpus, Platform.AllowedOsCpus(), nameof(HousekeepingCpus));
    }

    internal static void Range(string option, long value, long min, long max)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be between {min} and {max} (got {value})");
    }
}
