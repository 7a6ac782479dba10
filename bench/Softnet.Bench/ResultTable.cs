using System.Globalization;
using System.Text;

namespace Softnet.Bench;

/// <summary>Medians over rounds per contender, as a markdown table, and Softnet's throughput relative to the baseline.</summary>
internal static class ResultTable
{
    public static string Format(IReadOnlyList<(IContender Contender, List<Measurement> Runs)> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| contender | delivered pps | min–max pps | dropped % | wake-ups/packet | IPIs | alloc B/packet | CPU ns/packet | p50 µs | p99 µs | out of order | rounds |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (contender, runs) in results)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {contender.Name} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Median(runs, r => r.Pps):N0} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {runs.Min(r => r.Pps):N0}–{runs.Max(r => r.Pps):N0} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Median(runs, r => r.Sent == 0 ? 0 : 100.0 * r.Dropped / r.Sent):F1} ");
            sb.Append(runs.All(r => r.WakeupsPerPacket is not null) ? Cell(Median(runs, r => r.WakeupsPerPacket!.Value), "F6") : "| n/a ");
            sb.Append(runs.All(r => r.Ipis is not null) ? Cell(Median(runs, r => r.Ipis!.Value), "N0") : "| n/a ");
            sb.Append(Cell(Median(runs, r => r.AllocBytesPerPacket), "F4"));
            sb.Append(Cell(Median(runs, r => r.CpuNsPerPacket), "F1"));
            sb.Append(Cell(Median(runs, r => r.P50Us), "F1"));
            sb.Append(Cell(Median(runs, r => r.P99Us), "F1"));
            sb.Append(CultureInfo.InvariantCulture, $"| {runs.Sum(r => r.OutOfOrder)} ");
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {runs.Count} |");
        }
        return sb.ToString();
    }

    /// <summary>
    /// Each Softnet contender over each baseline, pair by pair: the two runs of the same round (a round measures every
    /// contender once, back to back) give one ratio; the line shows the median ratio with min–max, for delivered
    /// packets/s and for CPU time per packet, e.g. "Softnet softirq / Channels (…): 2.31× (1.90–2.60) delivered packets/s".
    /// </summary>
    public static string Ratios(IReadOnlyList<(IContender Contender, List<Measurement> Runs)> results)
    {
        var sb = new StringBuilder();
        var baselines = results.Where(r => r.Contender is ChannelsContender).ToList();
        foreach (var (softnet, softnetRuns) in results.Where(r => r.Contender is SoftnetContender))
        {
            foreach (var (baseline, baselineRuns) in baselines)
            {
                string pps = Paired(softnetRuns, baselineRuns, r => r.Pps);
                string cpu = Paired(softnetRuns, baselineRuns, r => r.CpuNsPerPacket);
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {softnet.Name} / {baseline.Name}: {pps} delivered packets/s, {cpu} CPU time per packet ({softnetRuns.Count} pairs)");
            }
        }
        return sb.ToString();
    }

    private static string Paired(List<Measurement> a, List<Measurement> b, Func<Measurement, double> value)
    {
        var ratios = a.Zip(b, (x, y) => value(y) > 0 ? value(x) / value(y) : double.NaN).Where(r => !double.IsNaN(r)).Order().ToArray();
        if (ratios.Length == 0)
            return "n/a";
        int mid = ratios.Length / 2;
        double median = ratios.Length % 2 == 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
        return string.Create(CultureInfo.InvariantCulture, $"{median:F2}× ({ratios[0]:F2}–{ratios[^1]:F2})");
    }

    public static double Median(IEnumerable<Measurement> runs, Func<Measurement, double> value)
    {
        var sorted = runs.Select(value).Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string Cell(double value, string format) => "| " + value.ToString(format, CultureInfo.InvariantCulture) + " ";
}
