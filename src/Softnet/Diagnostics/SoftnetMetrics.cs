using System.Diagnostics.Metrics;
using Softnet.Core;
using Softnet.Overload;

namespace Softnet.Diagnostics;

/// <summary>
/// The stack's counters as a <see cref="Meter"/> named <c>Softnet</c>, for dotnet-counters and OpenTelemetry. Every
/// instrument is observable: values are read from the counters when a listener collects, never added per packet.
/// </summary>
public sealed class SoftnetMetrics : IDisposable
{
    public const string MeterName = "Softnet";

    private readonly Meter _meter = new(MeterName);

    public SoftnetMetrics(NetStack stack)
    {
        PerCpu(stack, "softnet.processed", "{packet}", "Packets processed (softnet_stat column 1)", c => c.Processed);
        PerCpu(stack, "softnet.dropped", "{packet}", "Backlog and flow-limit drops (softnet_stat column 2)", c => c.Dropped);
        PerCpu(stack, "softnet.time_squeeze", "{event}", "net_rx_action passes cut short by budget or time", c => c.TimeSqueeze);
        PerCpu(stack, "softnet.received_rps", "{event}", "RPS IPIs received", c => c.ReceivedRps);
        PerCpu(stack, "softnet.flow_limit_count", "{packet}", "Flow-limit drops decided by this CPU", c => c.FlowLimitCount);
        PerCpu(stack, "softnet.ipi_sent", "{event}", "IPI-style kicks sent (RPS and defer list)", c => c.IpiSent);
        PerCpu(stack, "softnet.wakeups", "{event}", "Wake-ups of sleeping stack threads", c => c.Wakeups);
        _meter.CreateObservableGauge("softnet.backlog_len", () => Rows(stack, c => (long)c.BacklogLength), "{packet}", "Packets queued in the backlog");
        _meter.CreateObservableCounter("softnet.drops", () => DropRows(stack), "{packet}", "Packets dropped, by reason");
        _meter.CreateObservableCounter("softnet.napi.polls", () => NapiRows(stack, n => n.Polls), "{poll}", "Polls per NAPI");
        _meter.CreateObservableCounter("softnet.napi.packets", () => NapiRows(stack, n => n.Packets), "{packet}", "Packets per NAPI");
        _meter.CreateObservableGauge("softnet.overload.state", () => Rows(stack, c => (long)c.Overload.State), "{state}", "Overload state per CPU: 0 normal, 1 pressured, 2 overloaded");
        PerCpu(stack, "softnet.overload.transitions", "{event}", "Overload state changes per CPU", c => c.Overload.Transitions);
        PerCpu(stack, "softnet.overload.throttled", "{period}", "Periods the CPU budget cut short", c => c.Overload.Throttled);
        _meter.CreateObservableCounter("softnet.overload.time", () => CpuStateTimes(stack), "s", "Time per CPU in each overload state");
        _meter.CreateObservableGauge("softnet.napi.overload.state", () => NapiRows(stack, n => (long)n.Overload.State), "{state}", "Overload state per NAPI");
        _meter.CreateObservableCounter("softnet.napi.overload.transitions", () => NapiRows(stack, n => n.Overload.Transitions), "{event}", "Overload state changes per NAPI");
        _meter.CreateObservableCounter("softnet.napi.overload.time", () => NapiStateTimes(stack), "s", "Time per NAPI in each overload state");
    }

    public void Dispose() => _meter.Dispose();

    private void PerCpu(NetStack stack, string name, string unit, string description, Func<CpuStat, long> value) =>
        _meter.CreateObservableCounter(name, () => Rows(stack, value), unit, description);

    private static IEnumerable<Measurement<long>> Rows(NetStack stack, Func<CpuStat, long> value) =>
        stack.Snapshot().Cpus.Where(c => c.Online).Select(c => new Measurement<long>(value(c), new KeyValuePair<string, object?>("cpu", c.Cpu)));

    private static IEnumerable<Measurement<long>> DropRows(NetStack stack) =>
        stack.Snapshot().Drops.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("reason", d.Key.Name())));

    private static IEnumerable<Measurement<double>> CpuStateTimes(NetStack stack) =>
        stack.Snapshot().Cpus.Where(c => c.Online).SelectMany(c => Enum.GetValues<OverloadState>().Select(s => new Measurement<double>(
            c.Overload.TimeInStateNs(s) / 1e9,
            new KeyValuePair<string, object?>("cpu", c.Cpu),
            new KeyValuePair<string, object?>("state", s.Name()))));

    private static IEnumerable<Measurement<double>> NapiStateTimes(NetStack stack) =>
        stack.Devices.SelectMany(d => d.Napis.SelectMany(n =>
        {
            var o = n.Overload;
            return Enum.GetValues<OverloadState>().Select(s => new Measurement<double>(
                o.TimeInStateNs(s) / 1e9,
                new KeyValuePair<string, object?>("napi_id", n.Id),
                new KeyValuePair<string, object?>("ifname", d.Name),
                new KeyValuePair<string, object?>("state", s.Name())));
        }));

    private static IEnumerable<Measurement<long>> NapiRows(NetStack stack, Func<Napi, long> value) =>
        stack.Devices.SelectMany(d => d.Napis.Select(n => new Measurement<long>(
            value(n),
            new KeyValuePair<string, object?>("napi_id", n.Id),
            new KeyValuePair<string, object?>("ifname", d.Name))));
}
