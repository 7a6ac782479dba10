using Softnet.Core;
using Softnet.Steering;

namespace Softnet.Cli.Options;

/// <summary>Everything <c>softnet run</c> accepts, with its defaults; <see cref="Parse"/> checks every value.</summary>
internal sealed record RunOptions
{
    public const int MaxSize = 2048;
    public const int MaxFlows = 65536;

    /// <summary>A UDP flow is a socket of its own, so flows are bounded by what a process may open.</summary>
    public const int MaxUdpFlows = 512;

    internal static readonly NetStackOptions StackDefaults = new();

    public int Seconds { get; init; } = 10;

    public KickMode Mode { get; init; } = KickMode.Softirq;

    public DeviceKind Device { get; init; } = DeviceKind.Udp;

    public int Cpus { get; init; } = Environment.ProcessorCount;

    /// <summary>Producer threads; null = one per stack CPU, at most one per CPU this process may use.</summary>
    public int? Producers { get; init; }

    /// <summary>Flows as given; null = the device's default.</summary>
    public int? FlowsOption { get; init; }

    /// <summary>Flows over all producers: 64 source sockets for UDP, 1024 flow hashes for loopback by default.</summary>
    public int Flows => FlowsOption ?? (Device == DeviceKind.Udp ? 64 : 1024);

    /// <summary>UDP RX queues; 0 = one per CPU.</summary>
    public int Queues { get; init; }

    /// <summary>UDP only: how the device's queues receive.</summary>
    public Softnet.Devices.Udp.UdpBackend Backend { get; init; }

    /// <summary>UDP only: the device's threaded NAPI mode.</summary>
    public ThreadedMode Threaded { get; init; }

    /// <summary>UDP only: queue this many datagrams in the sockets before the device starts, then time the drain; 0 = stream.</summary>
    public long Prefill { get; init; }

    /// <summary>Packets per second over all producers; 0 = as fast as possible.</summary>
    public long? RateOption { get; init; }

    /// <summary>
    /// Packets per second over all producers; 0 = as fast as possible. UDP defaults to 100 000/s: on loopback the
    /// senders share the CPUs with the receiver, and flat out they only measure their own overload (see --prefill).
    /// </summary>
    public long Rate => RateOption ?? (Device == DeviceKind.Udp ? 100_000 : 0);

    /// <summary>Payload bytes per packet (the header needs 24; a packet buffer holds <see cref="MaxSize"/>).</summary>
    public int Size { get; init; } = 64;

    public bool Json { get; init; }

    /// <summary>What the handler does per packet: check order and latency, or only count.</summary>
    public HandlerKind Handler { get; init; }

    /// <summary>The p99 delivery latency, in microseconds, the report's verdict compares against.</summary>
    public int LatencyTargetUs { get; init; } = 1000;

    public int NetdevMaxBacklog { get; init; } = StackDefaults.NetdevMaxBacklog;

    public int NetdevBudget { get; init; } = StackDefaults.NetdevBudget;

    public int NetdevBudgetUsecs { get; init; } = StackDefaults.NetdevBudgetUsecs;

    public int DevWeight { get; init; } = StackDefaults.DevWeight;

    /// <summary>rps_cpus as given; null = the device's default.</summary>
    public string? RpsCpusOption { get; init; }

    /// <summary>
    /// RPS over every CPU for loopback, whose packets all start on the sender's CPU; off for UDP, whose queues are
    /// already spread over the CPUs by the reuseport steering (RSS).
    /// </summary>
    public string RpsCpus => RpsCpusOption ?? (Device == DeviceKind.Udp ? "" : "all");

    public string FlowLimit { get; init; } = StackDefaults.FlowLimit;

    public int SkbDeferMax { get; init; } = StackDefaults.SkbDeferMax;

    public int ProducerCount => Producers ?? Math.Min(Cpus, Environment.ProcessorCount);

    /// <summary>Real-time threads and overload control.</summary>
    public OverloadOptions Overload { get; init; } = new();

    /// <summary>Parses <c>run</c>'s arguments; bad input throws <see cref="UsageException"/>.</summary>
    public static RunOptions Parse(IReadOnlyList<string> args)
    {
        var knobs = new RunKnobs();
        return knobs.Bind(CommandLine.CommandParse.Of(knobs.Command(), args));
    }

    /// <summary>The stack's options for this run.</summary>
    public NetStackOptions ToStackOptions(Action<string> log)
    {
        var o = StackOptions(log);
        int rings = Device == DeviceKind.Udp
            ? PoolSizing.RxRingPackets(Cpus, Queues, new Softnet.Devices.Udp.UdpDeviceOptions().Weight, Backend == Softnet.Devices.Udp.UdpBackend.IoUring)
            : 0;
        return o with { PacketPoolSize = PoolSizing.PacketsPerCpu(Cpus, o.PacketBufferSize, o.InFlightPacketsPerCpu + rings) };
    }

    private NetStackOptions StackOptions(Action<string> log) => Overload.ApplyTo(new()
    {
        Cpus = Cpus,
        Mode = Mode,
        NetdevMaxBacklog = NetdevMaxBacklog,
        NetdevBudget = NetdevBudget,
        NetdevBudgetUsecs = NetdevBudgetUsecs,
        DevWeight = DevWeight,
        RpsCpus = RpsCpus,
        FlowLimit = FlowLimit,
        SkbDeferMax = SkbDeferMax,
        PacketBufferSize = BackendNames.BufferFor(Backend, Math.Max(StackDefaults.PacketBufferSize, Size)),
        Log = log,
    });

    /// <summary>The checks that involve more than one option, then the stack's own validation as a backstop.</summary>
    internal RunOptions Checked()
    {
        if (Device == DeviceKind.Udp && Flows > MaxUdpFlows)
            throw new UsageException($"--flows must be between {ProducerCount} and {MaxUdpFlows} for the udp device, one socket per flow (got {Flows})");
        if (Device != DeviceKind.Udp && (Prefill > 0 || Queues > 0 || Threaded != ThreadedMode.Disabled || Backend != Softnet.Devices.Udp.UdpBackend.Epoll))
            throw new UsageException("--prefill, --queues, --threaded and --backend apply to the udp device only");
        if (Flows < ProducerCount)
            throw new UsageException($"--flows must be between {ProducerCount} (one per producer) and {MaxFlows} (got {Flows})");
        try
        {
            // Masks name CPUs of the stack, so they can only be checked against --cpus once everything is parsed.
            CpuMask.Parse(RpsCpus, Cpus, "--rps-cpus");
            CpuMask.Parse(FlowLimit, Cpus, "--flow-limit");
            ToStackOptions(static _ => { }).Validate();
        }
        catch (ArgumentException e)
        {
            throw UsageException.From(e);
        }
        return this;
    }
}
