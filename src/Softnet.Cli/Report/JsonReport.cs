using System.Text.Json;
using Softnet.Cli.Options;
using Softnet.Cli.Report.Json;
using Softnet.Cli.Udp;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Cli.Report;

/// <summary>The run report as one JSON object, through the source-generated <see cref="ReportJsonContext"/>.</summary>
internal static class JsonReport
{
    public static void Write(RunReport r, TextWriter output) =>
        output.WriteLine(JsonSerializer.Serialize(ToJson(r), ReportJsonContext.Default.RunJson));

    public static RunJson ToJson(RunReport r)
    {
        bool prefill = r.Prefill > 0;
        bool check = r.Handler == HandlerKind.Check;
        return new RunJson(
            r.Mode,
            r.Device,
            prefill ? null : Math.Round(r.Seconds, 3),
            r.CpuCount,
            r.Producers,
            r.Flows,
            prefill ? null : r.Rate,
            r.Size,
            r.Handler == HandlerKind.Count ? "count" : "check",
            r.Sent,
            r.Delivered,
            Dropped(r.Dropped),
            Math.Round(r.Pps, 1),
            prefill || !check ? null : new LatencyJson(r.LatencyP50Us, r.LatencyP99Us, r.LatencyP999Us, [.. r.LatencyCdfUs.Select((us, i) => new[] { RunReport.CdfPercents[i], us })]),
            r.IpiSent,
            r.Wakeups,
            r.WakeupsPerPacket,
            r.AllocBytesPerPacket,
            r.CpuNsPerPacket is { } ns ? Math.Round(ns, 1) : null,
            check ? r.OutOfOrder : null,
            r.PoolGrowth,
            [.. r.Cpus.Select(Cpu)],
            r.Queues.Count > 0 ? r.Prefill : null,
            prefill ? Math.Round(r.Seconds, 6) : null,
            r.Queues.Count > 0 ? QueueStatsFormat.ToJson(r.Queues) : null,
            r.Overload?.ToJson(r.Queues),
            r.Overload?.ProtectedToJson(),
            Verdict.Of(r),
            r.SoftnetStat);
    }

    /// <summary>One CPU's row: its index, then the summary counters of the counter table by name, in table order.</summary>
    private static IReadOnlyDictionary<string, long> Cpu(CpuStat c)
    {
        var row = new Dictionary<string, long> { ["cpu"] = c.Cpu };
        foreach (var counter in SoftnetCounters.Summary)
            row[counter.Name] = counter.PerCpu!(c);
        return row;
    }

    /// <summary>Every reason, zeros included, in <see cref="DropReason"/> order (a dictionary keeps insertion order when written).</summary>
    public static IReadOnlyDictionary<string, long> Dropped(IEnumerable<KeyValuePair<DropReason, long>> dropped)
    {
        var byName = new Dictionary<string, long>();
        foreach (var (reason, count) in dropped)
            byName[reason.Name()] = count;
        return byName;
    }
}
