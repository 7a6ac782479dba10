using System.Globalization;
using System.Text;
using Softnet.Core;
using Softnet.Diagnostics;
using Softnet.Overload;

namespace Softnet.Admin.Endpoints;

/// <summary>
/// The Prometheus text exposition of the stack's counters. The per-CPU softnet_stat columns use node_exporter's
/// metric names, help texts and types, so dashboards and alerts written for the kernel work unchanged; Softnet's
/// own counters are prefixed <c>softnet_</c>. Offline CPUs are left out, as their rows are in softnet_stat.
/// </summary>
internal static class PrometheusText
{
    private static readonly OverloadState[] States = Enum.GetValues<OverloadState>();

    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Format(NetStack stack)
    {
        var snapshot = stack.Snapshot();
        var cpus = snapshot.Cpus.Where(c => c.Online).ToArray();
        var sb = new StringBuilder();
        PerCpu(sb, cpus, "node_softnet_processed_total", "counter", "Number of processed packets", c => c.Processed);
        PerCpu(sb, cpus, "node_softnet_dropped_total", "counter", "Number of dropped packets", c => c.Dropped);
        PerCpu(sb, cpus, "node_softnet_times_squeezed_total", "counter", "Number of times processing packets ran out of quota", c => c.TimeSqueeze);
        PerCpu(sb, cpus, "node_softnet_received_rps_total", "counter", "Number of times cpu woken up received_rps", c => c.ReceivedRps);
        PerCpu(sb, cpus, "node_softnet_flow_limit_count_total", "counter", "Number of times flow limit has been reached", c => c.FlowLimitCount);
        PerCpu(sb, cpus, "node_softnet_backlog_len", "gauge", "Softnet backlog status", c => c.BacklogLength);
        PerCpu(sb, cpus, "softnet_delivered_total", "counter", "Packets the handler returned from normally", c => c.Delivered);
        PerCpu(sb, cpus, "softnet_ipi_sent_total", "counter", "IPI-style kicks sent (RPS and defer list)", c => c.IpiSent);
        PerCpu(sb, cpus, "softnet_wakeups_total", "counter", "Wake-ups of sleeping stack threads", c => c.Wakeups);
        PerCpu(sb, cpus, "softnet_overload_state", "gauge", "Overload state: 0 normal, 1 pressured, 2 overloaded", c => (long)c.Overload.State);
        PerCpu(sb, cpus, "softnet_overload_transitions_total", "counter", "Overload state changes", c => c.Overload.Transitions);
        PerCpu(sb, cpus, "softnet_overload_throttled_total", "counter", "Periods the CPU budget cut short", c => c.Overload.Throttled);
        Header(sb, "softnet_overload_seconds_total", "counter", "Time spent in each overload state");
        foreach (var c in cpus)
        {
            foreach (var state in States)
                Sample(sb, "softnet_overload_seconds_total", $"cpu=\"{c.Cpu}\",state=\"{state.Name()}\"", c.Overload.TimeInStateNs(state) / 1e9);
        }
        Header(sb, "softnet_overload_cpu_share", "gauge", "Share of the last period the CPU's packet threads spent polling");
        foreach (var c in cpus)
            Sample(sb, "softnet_overload_cpu_share", $"cpu=\"{c.Cpu}\"", c.Overload.CpuShare);
        Header(sb, "softnet_drops_total", "counter", "Packets dropped, by reason");
        foreach (var (reason, count) in snapshot.Drops.OrderBy(d => d.Key))
            Sample(sb, "softnet_drops_total", $"reason=\"{reason.Name()}\"", count);
        var napis = Netdev.Napis(stack)
            .Select(n => (Labels: $"napi_id=\"{n.Id}\",ifname=\"{Escape(n.Device!.Name)}\"", Napi: n))
            .ToArray();
        Header(sb, "softnet_napi_polls_total", "counter", "Polls per NAPI");
        foreach (var (labels, napi) in napis)
            Sample(sb, "softnet_napi_polls_total", labels, napi.Polls);
        Header(sb, "softnet_napi_packets_total", "counter", "Packets per NAPI");
        foreach (var (labels, napi) in napis)
            Sample(sb, "softnet_napi_packets_total", labels, napi.Packets);
        var overloads = napis.Select(n => (n.Labels, Overload: n.Napi.Overload)).ToArray();
        Header(sb, "softnet_napi_overload_state", "gauge", "Overload state per NAPI: 0 normal, 1 pressured, 2 overloaded");
        foreach (var (labels, o) in overloads)
            Sample(sb, "softnet_napi_overload_state", labels, (long)o.State);
        Header(sb, "softnet_napi_overload_transitions_total", "counter", "Overload state changes per NAPI");
        foreach (var (labels, o) in overloads)
            Sample(sb, "softnet_napi_overload_transitions_total", labels, o.Transitions);
        Header(sb, "softnet_napi_overload_seconds_total", "counter", "Time each NAPI spent in each overload state");
        foreach (var (labels, o) in overloads)
        {
            foreach (var state in States)
                Sample(sb, "softnet_napi_overload_seconds_total", $"{labels},state=\"{state.Name()}\"", o.TimeInStateNs(state) / 1e9);
        }
        return sb.ToString();
    }

    private static void PerCpu(StringBuilder sb, CpuStat[] cpus, string name, string type, string help, Func<CpuStat, long> value)
    {
        Header(sb, name, type, help);
        foreach (var c in cpus)
            Sample(sb, name, $"cpu=\"{c.Cpu}\"", value(c));
    }

    private static void Header(StringBuilder sb, string name, string type, string help) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
          .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder sb, string name, string labels, long value) =>
        sb.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Sample(StringBuilder sb, string name, string labels, double value) =>
        sb.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>Label values escape backslash, double quote and newline.</summary>
    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
