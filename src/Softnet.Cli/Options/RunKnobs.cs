using System.CommandLine;
using Softnet.Cli.CommandLine;
using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Cli.Options;

/// <summary>
/// Every knob of <c>softnet run</c>, declared once: the same declaration parses, validates and writes the help.
/// Ranges are the stack's (<see cref="NetStackOptions.Validate"/>) so a value the CLI accepts the stack accepts too.
/// </summary>
internal sealed class RunKnobs
{
    private static readonly NetStackOptions Stack = RunOptions.StackDefaults;

    public StackKnobs Shared { get; } = new(
        cpusHelp: "stack CPUs",
        queuesHelp: "udp: RX queues",
        queuesDefault: "one per CPU",
        backendHelp: "udp: receive backend",
        rpsCpusHelp: "hex mask, list:0-3, all, or 0 for off (default all; udp: off)");

    public Option<int> Seconds { get; } = Knob.Int32("--seconds", "N", 1, 3600, 10, "load duration");

    public Option<string> Device { get; } = Knob.Choice("--device", "DEV", ["loopback", "udp"], "udp", "udp: 127.0.0.1, ephemeral port; loopback: netif_rx with RPS");

    public Option<long?> Prefill { get; } = Knob.OptionalInt64("--prefill", "N", 1, 50_000_000, "udp: queue N datagrams in the sockets first, drain them once untimed (warm-up), then queue N again and time their drain", "off: stream");

    public Option<string> Threaded { get; } = Knob.Choice("--threaded", "MODE", ["disabled", "enabled", "busy-poll"], "disabled", "udp: NAPI threads");

    public Option<int?> Producers { get; } = Knob.OptionalInt32("--producers", "N", 1, 1024, "sending threads", "--cpus, at most the CPUs this process may use");

    public Option<int?> Flows { get; } = Knob.OptionalInt32("--flows", "N", 1, RunOptions.MaxFlows, $"flows over all producers, at least one per producer; udp: one socket each, at most {RunOptions.MaxUdpFlows}", "1024; udp 64");

    public Option<long?> Rate { get; } = Knob.OptionalInt64("--rate", "PPS", 0, 1_000_000_000, "packets/s over all producers, 0 = as fast as possible", "0; udp 100000");

    public Option<int> Size { get; } = Knob.Int32("--size", "BYTES", Softnet.Load.PacketHeader.Size, RunOptions.MaxSize, 64, "payload bytes");

    public Option<string> Handler { get; } = Knob.Choice("--handler", "KIND", ["check", "count"], "check", "check: per-flow order and latency histogram; count: only count, the engine's cost alone");

    public Option<int> LatencyTarget { get; } = Knob.Int32("--latency-target", "US", 1, 60_000_000, 1000, "p99 delivery latency in µs the report's verdict compares against");

    public Option<bool> Json { get; } = Knob.Flag("--json", "one JSON object on stdout (progress stays on stderr)");

    public Option<int> NetdevMaxBacklog { get; } = Knob.Int32("--netdev-max-backlog", "N", 1, 1 << 24, Stack.NetdevMaxBacklog, "per-CPU backlog queue length");

    public Option<int> NetdevBudget { get; } = Knob.Int32("--netdev-budget", "N", 1, 1 << 20, Stack.NetdevBudget, "packets per net_rx_action round");

    public Option<int> NetdevBudgetUsecs { get; } = Knob.Int32("--netdev-budget-usecs", "N", 1, 1_000_000, Stack.NetdevBudgetUsecs, "microseconds per net_rx_action round");

    public Option<int> DevWeight { get; } = Knob.Int32("--dev-weight", "N", 1, 4096, Stack.DevWeight, "backlog NAPI weight");

    public Option<string?> FlowLimit { get; } = Knob.Text("--flow-limit", "MASK", "CPUs applying flow limit, as --rps-cpus (default off)");

    public Option<int> SkbDeferMax { get; } = Knob.Int32("--skb-defer-max", "N", 0, 1 << 20, Stack.SkbDeferMax, "remote frees batched per CPU");

    public OverloadKnobs Overload { get; } = new();

    public VerbCommand Command()
    {
        var command = new VerbCommand("run", "run a device under a bounded load and report throughput, latency, drops and softnet_stat")
        {
            ExitCodes = "0 ok, 1 the run failed or its accounting did not add up, 2 bad usage or --rt-priority refused",
        };
        foreach (var option in new Option[]
        {
            Seconds, Shared.Mode, Device, Shared.Queues, Prefill, Threaded, Shared.Backend, Shared.Cpus, Producers, Flows, Rate, Size, Handler, LatencyTarget, Json,
            NetdevMaxBacklog, NetdevBudget, NetdevBudgetUsecs, DevWeight, Shared.RpsCpus, FlowLimit, SkbDeferMax,
        })
        {
            command.Add(option);
        }
        Overload.AddTo(command);
        return command;
    }

    /// <summary>The options a parse gave, checked across options; a usage error throws <see cref="UsageException"/>.</summary>
    public RunOptions Bind(ParseResult r)
    {
        // A prefilled drain is timed from its first delivery to its last, its datagrams queued before the device
        // starts: a duration, a pace, a latency target or a producer count would be silently ignored.
        if (r.GetValue(Prefill) is not null)
        {
            string[] ignored = [.. new Option[] { Seconds, Rate, LatencyTarget, Producers }.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name)];
            if (ignored.Length > 0)
                throw new UsageException($"{string.Join(", ", ignored)} {(ignored.Length == 1 ? "does" : "do")} not apply to --prefill, a drain timed from its first delivery to its last (the sockets are filled first, by one producer per queue, at most one per CPU)");
        }

        return BindAll(r);
    }

    private RunOptions BindAll(ParseResult r) => new RunOptions
    {
        Seconds = r.GetValue(Seconds),
        Mode = Shared.BindMode(r),
        Device = DeviceKinds.Parse(r.GetValue(Device)!),
        Queues = Shared.BindQueues(r),
        Prefill = r.GetValue(Prefill) ?? 0,
        Backend = Shared.BindBackend(r),
        Threaded = ThreadedModes.TryParse(r.GetValue(Threaded)!, out var threaded) ? threaded : ThreadedMode.Disabled,
        Cpus = r.GetValue(Shared.Cpus),
        Producers = r.GetValue(Producers),
        FlowsOption = r.GetValue(Flows),
        RateOption = r.GetValue(Rate),
        Size = r.GetValue(Size),
        Handler = r.GetValue(Handler) == "count" ? HandlerKind.Count : HandlerKind.Check,
        LatencyTargetUs = r.GetValue(LatencyTarget),
        Json = r.GetValue(Json),
        NetdevMaxBacklog = r.GetValue(NetdevMaxBacklog),
        NetdevBudget = r.GetValue(NetdevBudget),
        NetdevBudgetUsecs = r.GetValue(NetdevBudgetUsecs),
        DevWeight = r.GetValue(DevWeight),
        RpsCpusOption = r.GetValue(Shared.RpsCpus),
        FlowLimit = r.GetValue(FlowLimit) ?? Stack.FlowLimit,
        SkbDeferMax = r.GetValue(SkbDeferMax),
        Overload = Overload.Bind(r),
    }.Checked();
}
