using System.Globalization;
using Softnet.Cli.Options;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Cli.Report;

/// <summary>
/// The report for people: a summary (only the lines that apply to the run), the verdict, drops by reason, the
/// per-CPU table with named columns, and the raw softnet_stat text.
/// </summary>
internal static class TextReport
{
    public static void Write(RunReport r, TextWriter o)
    {
        var inv = CultureInfo.InvariantCulture;
        bool prefill = r.Prefill > 0;
        bool check = r.Handler == HandlerKind.Check;
        string load = prefill ? $"a drain of {N(r.Prefill)} prefilled datagrams" : r.Rate == 0 ? "as fast as possible" : $"{N(r.Rate)} pps offered";
        o.WriteLine($"softnet run: {r.Device}, {r.Mode} mode, {r.CpuCount} CPUs, {r.Producers} producers, {N(r.Flows)} flows, {r.Size}-byte payloads, {load}"
            + (check ? "" : ", handler count"));
        o.WriteLine();
        if (prefill)
            Line(o, "drain", string.Create(inv, $"{r.Seconds:F6} s, first to last delivery (after an untimed warm-up drain)"));
        else
            Line(o, "seconds", r.Seconds.ToString("F3", inv));
        Line(o, "sent", N(r.Sent));
        Line(o, "delivered", N(r.Delivered));
        Line(o, "dropped", N(r.DroppedTotal));
        foreach (var (reason, count) in r.Dropped)
            Line(o, "  " + reason.Name(), N(count));
        Line(o, "pps", N((long)Math.Round(r.Pps)) + " delivered/s");
        if (!prefill && check)
            Line(o, "latency", string.Create(inv, $"p50 {r.LatencyP50Us:F2} µs, p99 {r.LatencyP99Us:F2} µs, p99.9 {r.LatencyP999Us:F2} µs"));
        if (r.CpuNsPerPacket is { } ns)
            Line(o, "cpu/packet", ns.ToString("F1", inv) + " ns of CPU time per delivered packet" + (r.Device == "udp" ? " (every thread but the UDP senders)" : " (every thread, producers included)"));
        Line(o, "ipi_sent", N(r.IpiSent));
        Line(o, "wakeups", string.Create(inv, $"{N(r.Wakeups)} ({r.WakeupsPerPacket:F6} per packet)"));
        Line(o, "alloc", string.Create(inv, $"{r.AllocBytesPerPacket:F4} bytes/packet ({N(r.PoolGrowth)} packets added to the pools)"));
        if (check)
            Line(o, "out_of_order", N(r.OutOfOrder));
        o.WriteLine();
        Verdict.WriteText(r, o);
        o.WriteLine();
        var columns = SoftnetCounters.Summary;
        var table = new TextTable(["cpu", .. columns.Select(c => c.Name)]);
        foreach (var c in r.Cpus)
            table.Add([N(c.Cpu), .. columns.Select(counter => N(counter.PerCpu!(c)))]);
        table.Write(o);
        o.WriteLine();
        if (r.Queues.Count > 0)
        {
            Udp.QueueStatsFormat.WriteText(o, r.Queues);
            o.WriteLine();
        }
        if (r.Overload is { } overload)
        {
            overload.WriteText(o, r.Queues);
            o.WriteLine();
        }
        o.WriteLine("softnet_stat:");
        o.Write(r.SoftnetStat);
    }

    private static void Line(TextWriter o, string name, string value) => o.WriteLine($"{name,-16}{value}");

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
