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

    private static readonly NetStackOptions StackDefaults = new();

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

    public const string Usage = $"""
        usage: softnet run [options]

        Runs a device under a built-in bounded load, then reports throughput, latency, drops and softnet_stat.

          --seconds N                 load duration, 1..3600 (default 10)
          --mode MODE                 softirq | backlog-threads (default softirq)
          --device DEV                udp | loopback (default udp: 127.0.0.1, ephemeral port)
          --queues N                  udp: RX queues, 1..256 (default: one per CPU)
          --prefill N                 udp: queue N datagrams in the sockets first, then time their drain, 1..50000000
          --threaded MODE             udp: NAPI threads, disabled | enabled | busy-poll (default disabled)
          --backend NAME              udp: receive backend, epoll | io_uring (default epoll; io_uring falls back to
                                      epoll with one log line where the kernel refuses it)
          --cpus N                    stack CPUs, 1..1024 (default: the CPUs this process may use)
          --producers N               sending threads, 1..1024 (default: --cpus, at most the CPUs this process may use)
          --flows N                   flows over all producers, --producers..65536; udp: ..512 sockets (default 1024; udp 64)
          --rate PPS                  packets/s over all producers, 0 = as fast as possible (default 0; udp 100000)
          --size BYTES                payload bytes, 24..2048 (default 64)
          --json                      one JSON object on stdout (progress stays on stderr)
          --netdev-max-backlog N      1..16777216 (default 1000)
          --netdev-budget N           1..1048576 (default 300)
          --netdev-budget-usecs N     1..1000000 (default 2000)
          --dev-weight N              1..4096 (default 64)
          --rps-cpus MASK             hex mask, list:0-3, all, or 0 for off (default all; udp: off)
          --flow-limit MASK           CPUs applying flow limit, as above (default off)
          --skb-defer-max N           0..1048576 (default 64)
        {OverloadOptions.Usage}
          --help                      this text

        Exit codes: 0 ok, 1 the run failed or its accounting did not add up, 2 bad usage or --rt-priority refused.
        """;

    /// <summary>Parses <c>run</c>'s arguments; bad input throws <see cref="UsageException"/>.</summary>
    public static RunOptions Parse(IReadOnlyList<string> args)
    {
        var o = new RunOptions();
        var reader = new ArgReader(args);
        while (reader.Next(out string name))
        {
            o = name switch
            {
                "--seconds" => o with { Seconds = reader.Int32(1, 3600) },
                "--mode" => o with { Mode = ParseMode(reader.Value()) },
                "--device" => o with { Device = DeviceKinds.Parse(reader.OneOf(DeviceKinds.All)) },
                "--cpus" => o with { Cpus = reader.Int32(1, 1024) },
                "--producers" => o with { Producers = reader.Int32(1, 1024) },
                "--flows" => o with { FlowsOption = reader.Int32(1, MaxFlows) },
                "--queues" => o with { Queues = reader.Int32(1, Softnet.Devices.Udp.UdpDeviceOptions.MaxQueues) },
                "--backend" => o with { Backend = BackendNames.Parse(reader.OneOf(BackendNames.All)) },
                "--prefill" => o with { Prefill = reader.Integer(1, 50_000_000) },
                "--threaded" => o with { Threaded = ThreadedModes.TryParse(reader.Value(), out var t) ? t : throw new UsageException("--threaded must be one of disabled, enabled, busy-poll") },
                "--rate" => o with { RateOption = reader.Integer(0, 1_000_000_000) },
                "--size" => o with { Size = reader.Int32(Load.PacketHeader.Size, MaxSize) },
                "--json" => o with { Json = true },
                "--netdev-max-backlog" => o with { NetdevMaxBacklog = reader.Int32(1, 1 << 24) },
                "--netdev-budget" => o with { NetdevBudget = reader.Int32(1, 1 << 20) },
                "--netdev-budget-usecs" => o with { NetdevBudgetUsecs = reader.Int32(1, 1_000_000) },
                "--dev-weight" => o with { DevWeight = reader.Int32(1, 4096) },
                "--rps-cpus" => o with { RpsCpusOption = reader.Value() },
                "--flow-limit" => o with { FlowLimit = reader.Value() },
                "--skb-defer-max" => o with { SkbDeferMax = reader.Int32(0, 1 << 20) },
                _ => o.Overload.TryParse(name, reader) is { } overload
                    ? o with { Overload = overload }
                    : throw new UsageException($"unknown option '{name}' for run; see softnet run --help"),
            };
        }
        o.Check();
        return o;
    }

    /// <summary>The stack's options for this run.</summary>
    public NetStackOptions ToStackOptions(Action<string> log) => Overload.ApplyTo(new()
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
        PacketPoolSize = PoolSizing.PacketsPerCpu(Cpus, BackendNames.BufferFor(Backend, Math.Max(StackDefaults.PacketBufferSize, Size))),
        Log = log,
    });

    private static KickMode ParseMode(string text) => KickModes.TryParse(text, out var mode)
        ? mode
        : throw new UsageException($"--mode must be one of softirq, backlog-threads (got '{text}')");

    /// <summary>The checks that involve more than one option, then the stack's own validation as a backstop.</summary>
    private void Check()
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
    }
}
