using System.Globalization;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Cli.Report;

/// <summary>The report for people: a summary, drops by reason, the per-CPU table with named columns, and the raw softnet_stat text.</summary>
internal static class TextReport
{
    private static readonly string[] CpuColumns = ["cpu", .. SoftnetCounters.Summary.Select(c => c.Name)];

    public static void Write(RunReport r, TextWriter o)
    {
        var inv = CultureInfo.InvariantCulture;
        string rate = r.Rate == 0 ? "as fast as possible" : $"{N(r.Rate)} pps offered";
        o.WriteLine($"softnet run: {r.Device}, {r.Mode} mode, {r.CpuCount} CPUs, {r.Producers} producers, {N(r.Flows)} flows, {r.Size}-byte payloads, {rate}");
        o.WriteLine();
        Line(o, "seconds", r.Seconds.ToString("F3", inv));
        Line(o, "sent", N(r.Sent));
        Line(o, "delivered", N(r.Delivered));
        Line(o, "dropped", N(r.DroppedTotal));
        foreach (var (reason, count) in r.Dropped)
            Line(o, "  " + reason.Name(), N(count));
        Line(o, "pps", N((long)Math.Round(r.Pps)) + " delivered/s");
        Line(o, "latency", string.Create(inv, $"p50 {r.LatencyP50Us:F2} µs, p99 {r.LatencyP99Us:F2} µs, p99.9 {r.LatencyP999Us:F2} µs"));
        Line(o, "ipi_sent", N(r.IpiSent));
        Line(o, "wakeups", string.Create(inv, $"{N(r.Wakeups)} ({r.WakeupsPerPacket:F6} per packet)"));
        Line(o, "alloc", string.Create(inv, $"{r.AllocBytesPerPacket:F4} bytes/packet ({N(r.PoolGrowth)} packets added to the pools)"));
        Line(o, "out_of_order", N(r.OutOfOrder));
        o.WriteLine();
        WriteCpuTable(r, o);
        o.WriteLine();
        if (r.Queues.Count > 0)
        {
            if (r.Prefill > 0)
                o.WriteLine($"drain of {N(r.Prefill)} prefilled datagrams: pps is the count over first-to-last delivery");
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

    private static void WriteCpuTable(RunReport r, TextWriter o)
    {
        var rows = r.Cpus.Select(c => new[] { N(c.Cpu) }.Concat(SoftnetCounters.Summary.Select(counter => N(counter.PerCpu!(c)))).ToArray()).ToList();
        var widths = CpuColumns.Select((h, i) => rows.Select(row => row[i].Length).Append(h.Length).Max()).ToArray();
        o.WriteLine(string.Join("  ", CpuColumns.Select((h, i) => h.PadLeft(widths[i]))));
        foreach (var row in rows)
            o.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadLeft(widths[i]))));
    }

    private static void Line(TextWriter o, string name, string value) => o.WriteLine($"{name,-16}{value}");

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
