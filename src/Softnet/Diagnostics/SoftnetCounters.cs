using Softnet.Core;
using Softnet.Overload;

namespace Softnet.Diagnostics;

/// <summary>
/// The table of the stack's counters. A new counter is one line here; softnet_stat, <c>/stats</c>, <c>/metrics</c>,
/// the <c>Softnet</c> meter and the CLI pick it up. The order is the order of every export (and of the JSON fields).
/// </summary>
public static class SoftnetCounters
{
    private const string Packets = "{packet}";
    private const string Events = "{event}";

    private static readonly OverloadState[] States = Enum.GetValues<OverloadState>();

    /// <summary>Every counter of the stack, in the order the exports list them.</summary>
    public static IReadOnlyList<SoftnetCounter> All { get; } =
    [
        Cpu("processed", Packets, "Packets taken off the poll list for the handler (softnet_stat column 1)", c => c.Processed, column: 0, watch: "processed"),
        Cpu("dropped", Packets, "Packets dropped at the backlog or by flow limit (softnet_stat column 2)", c => c.Dropped, column: 1, watch: "dropped"),
        Cpu("time_squeeze", Events, "net_rx_action passes cut short by budget or time (softnet_stat column 3)", c => c.TimeSqueeze, column: 2, watch: "squeezed"),
        Cpu("received_rps", Events, "RPS IPIs received (softnet_stat column 10)", c => c.ReceivedRps, column: 9, watch: "rps"),
        Cpu("flow_limit_count", Packets, "Flow-limit drops decided by this CPU (softnet_stat column 11)", c => c.FlowLimitCount, column: 10, watch: "flow_limit"),
        CpuGauge("backlog_len", Packets, "Packets queued in the backlog (softnet_stat column 12)", c => c.BacklogLength, column: 11, watch: "backlog"),
        CpuGauge("input_queue_len", Packets, "Packets in the backlog's input queue (softnet_stat column 14)", c => c.InputQueueLength, column: 13),
        CpuGauge("process_queue_len", Packets, "Packets in the backlog's process queue (softnet_stat column 15)", c => c.ProcessQueueLength, column: 14),
        Cpu("delivered", Packets, "Packets the handler returned from normally", c => c.Delivered),
        Cpu("ipi_sent", Events, "IPI-style kicks sent (RPS and defer list)", c => c.IpiSent),
        Cpu("wakeups", Events, "Wake-ups of sleeping stack threads", c => c.Wakeups),
        CpuGauge("overload.state", "{state}", "Overload state per CPU: 0 normal, 1 pressured, 2 overloaded", c => (long)c.Overload.State, inRow: false),
        Cpu("overload.transitions", Events, "Overload state changes per CPU", c => c.Overload.Transitions, inRow: false),
        Cpu("overload.throttled", "{period}", "Periods the CPU budget cut short", c => c.Overload.Throttled, inRow: false),
        new("overload.time", CounterScope.Cpu, CounterKind.Counter, "s", "Time per CPU in each overload state", integral: false, s => CpuRows(s).SelectMany(c =>
            States.Select(st => Sample(c.Overload.TimeInStateNs(st) / 1e9, ("cpu", c.Cpu), ("state", st.Name()))))),
        new("overload.cpu_share", CounterScope.Cpu, CounterKind.Gauge, "1", "Share of the last period the CPU's packet threads spent polling", integral: false, s =>
            CpuRows(s).Select(c => Sample(c.Overload.CpuShare, ("cpu", c.Cpu)))),
        Napi("polls", "{poll}", "Polls per NAPI", n => n.Polls),
        Napi("packets", Packets, "Packets per NAPI", n => n.Packets),
        new("overload.state", CounterScope.Napi, CounterKind.Gauge, "{state}", "Overload state per NAPI: 0 normal, 1 pressured, 2 overloaded", integral: true, s =>
            s.Napis.Select(n => Sample((long)n.Overload.State, NapiLabels(n)))),
        Napi("overload.transitions", Events, "Overload state changes per NAPI", n => n.Overload.Transitions),
        new("overload.time", CounterScope.Napi, CounterKind.Counter, "s", "Time per NAPI in each overload state", integral: false, s => s.Napis.SelectMany(n =>
            States.Select(st => Sample(n.Overload.TimeInStateNs(st) / 1e9, [.. NapiLabels(n), ("state", st.Name())])))),
        Device("rx_dropped", Packets, "Packets the device received and the stack dropped (netdev rx_dropped)", d => d.RxDropped),
        Device("tx_packets", Packets, "Packets the device transmitted (netdev tx_packets)", d => d.TxPackets),
        Device("tx_dropped", Packets, "Packets the device was asked to transmit and could not (netdev tx_dropped)", d => d.TxDropped),
        new("tx_drops", CounterScope.Device, CounterKind.Counter, Packets, "Packets the device could not transmit, by reason", integral: true, s => s.Devices.SelectMany(d =>
            d.TxDrops.OrderBy(t => t.Key).Select(t => Sample(t.Value, ("ifname", d.IfName), ("reason", t.Key.Name()))))),
        new("drops", CounterScope.Stack, CounterKind.Counter, Packets, "Packets dropped, by reason", integral: true, s =>
            s.Drops.OrderBy(d => d.Key).Select(d => Sample(d.Value, ("reason", d.Key.Name())))),
        new("pool_growth", CounterScope.Stack, CounterKind.Counter, Packets, "Packets the pools allocated beyond their initial size", integral: true, s =>
            [Sample(s.PoolGrowth)]),
        new("delivery.latency", CounterScope.Stack, CounterKind.Histogram, "s", "Time from the device taking a packet in to the handler getting it", integral: false, _ => []),
    ];

    /// <summary>The per-CPU counters that are softnet_stat columns, in column order.</summary>
    public static IReadOnlyList<SoftnetCounter> SoftnetStatColumns { get; } = [.. All.Where(c => c.SoftnetStatColumn is not null).OrderBy(c => c.SoftnetStatColumn)];

    /// <summary>The per-CPU counters of each CPU's row in <c>/stats</c> and the reports, in field order.</summary>
    public static IReadOnlyList<SoftnetCounter> CpuRow { get; } = [.. All.Where(c => c.InCpuRow)];

    /// <summary>The per-CPU counters of the CLI's summaries (the run report's CPU table and <c>softnet stat --watch</c>), in column order.</summary>
    public static IReadOnlyList<SoftnetCounter> Summary { get; } = [.. CpuRow.Where(c => c.WatchHeading is not null)];

    /// <summary>The per-NAPI counters of each NAPI's row in <c>/stats</c> (the overload ones are napi-get's <c>overload</c>).</summary>
    public static IReadOnlyList<SoftnetCounter> NapiRow { get; } = [.. All.Where(c => c.PerNapi is not null && !c.Name.Contains('.', StringComparison.Ordinal))];

    /// <summary>A counter by its meter instrument name.</summary>
    public static SoftnetCounter ByInstrument(string instrument) =>
        All.FirstOrDefault(c => c.InstrumentName == instrument) ?? throw new ArgumentException($"no Softnet counter is named {instrument}", nameof(instrument));

    private static SoftnetCounter Cpu(string name, string unit, string help, Func<CpuStat, long> value, int? column = null, string? watch = null, bool inRow = true) =>
        new(name, CounterScope.Cpu, CounterKind.Counter, unit, help, integral: true, s => CpuRows(s).Select(c => Sample(value(c), ("cpu", c.Cpu))))
        {
            SoftnetStatColumn = column,
            WatchHeading = watch is null ? null : watch + "/s",
            InCpuRow = inRow,
            PerCpu = value,
        };

    private static SoftnetCounter CpuGauge(string name, string unit, string help, Func<CpuStat, long> value, int? column = null, string? watch = null, bool inRow = true) =>
        new(name, CounterScope.Cpu, CounterKind.Gauge, unit, help, integral: true, s => CpuRows(s).Select(c => Sample(value(c), ("cpu", c.Cpu))))
        {
            SoftnetStatColumn = column,
            WatchHeading = watch,
            InCpuRow = inRow,
            PerCpu = value,
        };

    private static SoftnetCounter Napi(string name, string unit, string help, Func<NapiStat, long> value) =>
        new(name, CounterScope.Napi, CounterKind.Counter, unit, help, integral: true, s => s.Napis.Select(n => Sample(value(n), NapiLabels(n))))
        {
            PerNapi = value,
        };

    private static SoftnetCounter Device(string name, string unit, string help, Func<DeviceStat, long> value) =>
        new(name, CounterScope.Device, CounterKind.Counter, unit, help, integral: true, s => s.Devices.Select(d => Sample(value(d), ("ifname", d.IfName))));

    /// <summary>Offline CPUs are left out, as their rows are in softnet_stat.</summary>
    private static IEnumerable<CpuStat> CpuRows(SoftnetSnapshot s) => s.Cpus.Where(c => c.Online);

    private static (string, object?)[] NapiLabels(NapiStat n) => [("napi_id", n.Id), ("ifname", n.IfName)];

    private static CounterSample Sample(double value, params (string Key, object? Value)[] labels) =>
        new([.. labels.Select(l => new KeyValuePair<string, object?>(l.Key, l.Value))], value);
}
