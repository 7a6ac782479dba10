using System.Globalization;
using System.Text;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Admin.Endpoints;

/// <summary>
/// The Prometheus text exposition of <see cref="SoftnetCounters.All"/>: each counter under its
/// <see cref="SoftnetCounter.PrometheusName"/> (<c>softnet_…</c>, the names an OpenTelemetry Prometheus export of the
/// <c>Softnet</c> meter gives, and none of node_exporter's own <c>node_softnet_…</c> series). Offline CPUs are left out,
/// as their rows are in softnet_stat.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Format(NetStack stack)
    {
        var snapshot = stack.Snapshot();
        var sb = new StringBuilder();
        foreach (var counter in SoftnetCounters.All)
        {
            sb.Append("# HELP ").Append(counter.PrometheusName).Append(' ').Append(counter.Help).Append('\n')
              .Append("# TYPE ").Append(counter.PrometheusName).Append(' ').Append(Type(counter.Kind)).Append('\n');
            if (counter.Kind == CounterKind.Histogram)
            {
                Histogram(sb, counter.PrometheusName, snapshot.DeliveryLatency);
                continue;
            }
            foreach (var sample in counter.Read(snapshot))
                Sample(sb, counter.PrometheusName, Labels(sample.Labels), sample.Value);
        }
        return sb.ToString();
    }

    private static string Type(CounterKind kind) => kind switch
    {
        CounterKind.Counter => "counter",
        CounterKind.Gauge => "gauge",
        _ => "histogram",
    };

    /// <summary>Cumulative buckets, the <c>+Inf</c> bucket equal to <c>_count</c>, then <c>_sum</c> and <c>_count</c>.</summary>
    private static void Histogram(StringBuilder sb, string name, LatencyBuckets latency)
    {
        long cumulative = 0;
        for (int i = 0; i < latency.Counts.Count; i++)
        {
            cumulative += latency.Counts[i];
            string le = i < latency.BoundsSeconds.Count ? latency.BoundsSeconds[i].ToString("0.#########", CultureInfo.InvariantCulture) : "+Inf";
            Sample(sb, name + "_bucket", $"le=\"{le}\"", cumulative);
        }
        Sample(sb, name + "_sum", "", latency.SumSeconds);
        Sample(sb, name + "_count", "", cumulative);
    }

    private static string Labels(KeyValuePair<string, object?>[] labels) =>
        string.Join(',', labels.Select(l => $"{l.Key}=\"{Escape(Convert.ToString(l.Value, CultureInfo.InvariantCulture) ?? "")}\""));

    private static void Sample(StringBuilder sb, string name, string labels, double value)
    {
        sb.Append(name);
        if (labels.Length > 0)
            sb.Append('{').Append(labels).Append('}');
        sb.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>Label values escape backslash, double quote and newline.</summary>
    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
