using Softnet.Diagnostics;

namespace Softnet.Tests.Admin;

/// <summary><c>GET /metrics</c>: Prometheus text with every counter of the table under its <c>softnet_</c> name.</summary>
[Collection(AdminCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsNameEveryCounterOfTheTableAndAgreeWithTheCounters()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);
        await pump.RunFor(2_000);
        pump.Stop();
        await h.AssertAccounted(pump.Sent);
        // A NAPI counts a poll's packets when the poll returns, after the handler saw them.
        await AdminHarness.Eventually(() => h.Device.Napis.Sum(n => n.Packets) >= pump.Sent, "fq0's NAPIs to count every packet");

        using var response = await h.Http.GetAsync("metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        string text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        foreach (var counter in SoftnetCounters.All)
        {
            string type = counter.Kind.ToString().ToLowerInvariant();
            Assert.Contains($"# TYPE {counter.PrometheusName} {type}", lines);
            Assert.Contains($"# HELP {counter.PrometheusName} {counter.Help}", lines);
        }
        Assert.DoesNotContain(lines, l => l.StartsWith("node_", StringComparison.Ordinal));
        Assert.Contains("# TYPE softnet_backlog_len gauge", lines);
        Assert.Contains("# TYPE softnet_time_squeeze_total counter", lines);
        Assert.Contains(lines, l => l.StartsWith("softnet_processed_total{cpu=\"0\"} ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("softnet_backlog_len{cpu=\"1\"} ", StringComparison.Ordinal));
        Assert.Contains("softnet_drops_total{reason=\"backlog\"} 0", lines);
        // Every sample belongs to a family declared above it.
        var declared = new HashSet<string>();
        foreach (string line in lines)
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                declared.Add(line.Split(' ')[2]);
            else if (!line.StartsWith('#'))
                Assert.Contains(Family(line), declared);
        }

        var snapshot = h.Stack.Snapshot();
        Assert.Equal(snapshot.Processed, Sum(lines, "softnet_processed_total{"));
        foreach (var napi in h.Device.Napis)
            Assert.Contains($"softnet_napi_packets_total{{napi_id=\"{napi.Id}\",ifname=\"fq0\"}} {napi.Packets}", lines);
        Assert.Equal(pump.Sent, Sum(lines, "softnet_napi_packets_total{"));
        Assert.Equal(snapshot.Processed, SoftnetStat.Parse(await h.Http.GetStringAsync("softnet_stat")).Sum(row => (long)row[0]));
    }

    /// <summary>A sample's family: its name without labels, and without a histogram's <c>_bucket</c>, <c>_sum</c>, <c>_count</c>.</summary>
    private static string Family(string sample)
    {
        string name = sample[..sample.IndexOfAny(['{', ' '])];
        foreach (string suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && SoftnetCounters.All.Any(c => c.Kind == CounterKind.Histogram && c.PrometheusName + suffix == name))
                return name[..^suffix.Length];
        }
        return name;
    }

    private static long Sum(string[] lines, string prefix) =>
        lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..]));
}
