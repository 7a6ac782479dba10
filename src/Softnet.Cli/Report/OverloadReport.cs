using System.Globalization;
using Softnet.Cli.Report.Json;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Diagnostics;
using Softnet.Overload;

namespace Softnet.Cli.Report;

/// <summary>
/// The reports' <c>overload</c> part: the policy that ran, and per CPU and per queue the state at the end, the
/// transitions, the time spent overloaded and the CPU share polling used (average over the run, highest period); the
/// times shedding started; and the reports' <c>protected</c> part, the protected queue's received, replied and dropped.
/// </summary>
internal sealed record OverloadReport(
    string Mode, int CpuShareLimit, double PeriodMs, double SliceMs, IReadOnlyList<CpuStat> Cpus, UdpProtectedStats? Protected = null, long ShedEpisodes = 0)
{
    public static OverloadReport From(NetStackOptions options, SoftnetSnapshot snapshot, UdpProtectedStats? protectedStats = null, long shedEpisodes = 0) =>
        new(options.Overload.Name(), options.OverloadCpuShare, options.OverloadPeriod.TotalMilliseconds, options.EffectiveOverloadBudgetSlice?.TotalMilliseconds ?? 0, snapshot.Cpus, protectedStats, shedEpisodes);

    public OverloadJson ToJson(IReadOnlyList<UdpQueueStats> queues) => new(
        Mode,
        CpuShareLimit / 100.0,
        PeriodMs,
        SliceMs,
        (double)Cpus.Sum(c => c.Overload.PollAllocatedBytes) / Math.Max(1, Cpus.Sum(c => c.Processed)),
        ShedEpisodes,
        [.. Cpus.Select(c => new OverloadCpuJson(c.Cpu, c.Overload.State.Name(), c.Overload.Transitions, Ms(c.Overload.OverloadedNs), Ms(c.Overload.PressuredNs), Share(c.Overload.CpuShareUsed), Share(c.Overload.CpuShareMax), c.Overload.Throttled))],
        [.. queues.Select(q => new OverloadQueueJson(q.Queue, q.NapiId, q.Overload.State.Name(), q.Overload.Transitions, Ms(q.Overload.OverloadedNs), Ms(q.Overload.PressuredNs), Share(q.Overload.CpuShareUsed), Share(q.Overload.CpuShareMax), q.HeldBack))]);

    /// <summary>The reports' <c>protected</c> part; null without protected flows.</summary>
    public ProtectedJson? ProtectedToJson() => Protected is { } p ? new(p.NapiId, p.Received, p.Replied, p.Dropped) : null;

    public void WriteText(TextWriter w, IReadOnlyList<UdpQueueStats> queues)
    {
        w.WriteLine($"overload: {Mode}" + (Mode == "auto" && SliceMs > 0 ? $", CPU budget {CpuShareLimit}% of every {SliceMs.ToString(CultureInfo.InvariantCulture)} ms" : ""));
        var table = new TextTable("", "state", "transitions", "overloaded_ms", "cpu_share_used", "cpu_share_max", "throttled");
        foreach (var c in Cpus)
            Row(table, $"cpu {c.Cpu}", c.Overload, c.Overload.Throttled.ToString(CultureInfo.InvariantCulture));
        foreach (var q in queues)
            Row(table, $"q {q.Queue}", q.Overload, "-");
        table.Write(w);
        if (ShedEpisodes > 0)
            w.WriteLine($"shedding started {ShedEpisodes:N0} times");
        if (Protected is { } p)
            w.WriteLine($"protected: received {p.Received:N0}, replied {p.Replied:N0}, dropped {p.Dropped:N0}");
    }

    private static void Row(TextTable table, string name, OverloadInfo o, string throttled) => table.Add(
        name,
        o.State.Name(),
        o.Transitions.ToString(CultureInfo.InvariantCulture),
        (o.OverloadedNs / 1e6).ToString("F1", CultureInfo.InvariantCulture),
        o.CpuShareUsed.ToString("P1", CultureInfo.InvariantCulture),
        o.CpuShareMax.ToString("P1", CultureInfo.InvariantCulture),
        throttled);

    private static double Ms(long ns) => Math.Round(ns / 1e6, 3);

    private static double Share(double share) => Math.Round(share, 4);
}
