using System.Globalization;
using System.Text;

namespace Softnet.StatsD;

/// <summary>
/// The flushed aggregates as Prometheus text. Counters are cumulative over every flush (a Prometheus counter never
/// goes down); gauges are their value at the last flush; timers are summaries in seconds (statsd_exporter's unit)
/// with the last interval's quantiles and cumulative sum and count; sets are gauges of the last interval's distinct
/// values. A name that two metric types map to is served once, for the first type, and counted.
/// </summary>
public sealed class PrometheusExport
{
    private readonly Lock _sync = new();
    private readonly SortedDictionary<string, double> _counters = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, double> _gauges = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, TimerSeries> _timers = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _sets = new(StringComparer.Ordinal);
    private LineStats _stats = new(0, 0, new long[LineDrops.Count]);
    private long _flushes;

    /// <summary>Adds one flush.</summary>
    public void Apply(FlushResult flush)
    {
        lock (_sync)
        {
            foreach (var (name, value) in flush.Counters)
                _counters[name] = _counters.GetValueOrDefault(name) + value;
            foreach (var (name, value) in flush.Gauges)
                _gauges[name] = value;
            foreach (var timer in flush.Timers)
            {
                var series = _timers.GetValueOrDefault(timer.Name);
                _timers[timer.Name] = new TimerSeries(
                    (series?.Count ?? 0) + timer.Count,
                    (series?.Sum ?? 0) + (timer.Mean * timer.Count),
                    timer);
            }

            foreach (var (name, distinct) in flush.Sets)
                _sets[name] = distinct;
            _stats = flush.Stats;
            _flushes++;
        }
    }

    /// <summary>
    /// The text exposition: the server's own series first (<paramref name="socketDrops"/> and
    /// <paramref name="stackDrops"/> are read from the UDP device and the stack by the caller, and
    /// <paramref name="receiveAllocatedBytes"/> from <see cref="ReceiveAllocations"/>), then the metrics.
    /// </summary>
    public string Render(long socketDrops, long stackDrops, long receiveAllocatedBytes)
    {
        var text = new StringBuilder();
        var used = new HashSet<string>(StringComparer.Ordinal);
        int conflicts = 0;
        lock (_sync)
        {
            Family(text, used, "statsd_datagrams_total", "counter", "Datagrams aggregated.");
            Sample(text, "statsd_datagrams_total", "", _stats.Datagrams);
            Family(text, used, "statsd_lines_total", "counter", "Metric lines aggregated.");
            Sample(text, "statsd_lines_total", "", _stats.Lines);
            Family(text, used, "statsd_dropped_lines_total", "counter", "Malformed lines, by reason.");
            for (var reason = LineDrop.NoColon; (int)reason < LineDrops.Count; reason++)
                Sample(text, "statsd_dropped_lines_total", $"{{reason=\"{reason.Name()}\"}}", _stats.Drops(reason));
            Family(text, used, "statsd_socket_drops_total", "counter", "Datagrams the kernel dropped at the UDP sockets (buffer full).");
            Sample(text, "statsd_socket_drops_total", "", socketDrops);
            Family(text, used, "statsd_stack_drops_total", "counter", "Datagrams the Softnet stack dropped (every reason).");
            Sample(text, "statsd_stack_drops_total", "", stackDrops);
            Family(text, used, "statsd_receive_allocated_bytes_total", "counter", "Bytes the packet threads allocated while receiving and aggregating.");
            Sample(text, "statsd_receive_allocated_bytes_total", "", receiveAllocatedBytes);
            Family(text, used, "statsd_flushes_total", "counter", "Flush intervals completed.");
            Sample(text, "statsd_flushes_total", "", _flushes);

            foreach (var (name, total) in _counters)
            {
                string metric = PrometheusName.Counter(name);
                if (!Family(text, used, metric, "counter", $"StatsD counter {name}."))
                {
                    conflicts++;
                    continue;
                }

                Sample(text, metric, "", total);
            }

            foreach (var (name, value) in _gauges)
            {
                string metric = PrometheusName.From(name);
                if (!Family(text, used, metric, "gauge", $"StatsD gauge {name}."))
                {
                    conflicts++;
                    continue;
                }

                Sample(text, metric, "", value);
            }

            foreach (var (name, series) in _timers)
            {
                string metric = PrometheusName.From(name);
                if (used.Contains(metric + "_sum") || used.Contains(metric + "_count") || !Family(text, used, metric, "summary", $"StatsD timer {name} in seconds."))
                {
                    conflicts++;
                    continue;
                }

                used.Add(metric + "_sum");
                used.Add(metric + "_count");
                Sample(text, metric, "{quantile=\"0.5\"}", series.Last.P50 / 1000);
                Sample(text, metric, "{quantile=\"0.9\"}", series.Last.P90 / 1000);
                Sample(text, metric, "{quantile=\"0.99\"}", series.Last.P99 / 1000);
                Sample(text, metric + "_sum", "", series.Sum / 1000);
                Sample(text, metric + "_count", "", series.Count);
            }

            foreach (var (name, distinct) in _sets)
            {
                string metric = PrometheusName.From(name);
                if (!Family(text, used, metric, "gauge", $"StatsD set {name}: distinct values in the last interval."))
                {
                    conflicts++;
                    continue;
                }

                Sample(text, metric, "", distinct);
            }
        }

        Family(text, used, "statsd_name_conflicts", "gauge", "StatsD metrics not served because an earlier one maps to the same Prometheus name.");
        Sample(text, "statsd_name_conflicts", "", conflicts);
        return text.ToString();
    }

    private static bool Family(StringBuilder text, HashSet<string> used, string name, string type, string help)
    {
        if (!used.Add(name))
            return false;
        text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return true;
    }

    private static void Sample(StringBuilder text, string name, string labels, double value) =>
        text.Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');

    /// <summary>A value as the text format writes it: shortest round-trip digits, <c>+Inf</c>/<c>-Inf</c>.</summary>
    internal static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private sealed record TimerSeries(double Count, double Sum, TimerSummary Last);
}
