using Softnet.Diagnostics;

namespace Softnet.Tests.Admin;

/// <summary><c>GET /metrics</c>: Prometheus text with node_exporter's softnet names, so existing dashboards work.</summary>
[Collection(AdminCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsUseNodeExporterNamesTypesAndAgreeWithTheCounters()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);
        await pump.RunFor(2_000);
        pump.Stop();
        await h.AssertAccounted(pump.Sent);

        using var response = await h.Http.GetAsync("metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        string text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        string[] counters =
        [
            "node_softnet_processed_total", "node_softnet_dropped_total", "node_softnet_times_squeezed_total",
            "node_softnet_received_rps_total", "node_softnet_flow_limit_count_total", "softnet_drops_total",
            "softnet_ipi_sent_total", "softnet_wakeups_total", "softnet_napi_polls_total", "softnet_napi_packets_total",
        ];
        foreach (string name in counters)
        {
            Assert.Contains($"# TYPE {name} counter", lines);
            Assert.Contains(lines, l => l.StartsWith($"# HELP {name} ", StringComparison.Ordinal));
        }
        Assert.Contains("# TYPE node_softnet_backlog_len gauge", lines);
        Assert.Contains(lines, l => l.StartsWith("node_softnet_processed_total{cpu=\"0\"} ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("node_softnet_backlog_len{cpu=\"1\"} ", StringComparison.Ordinal));
        Assert.Contains("softnet_drops_total{reason=\"backlog\"} 0", lines);
        // Every sample belongs to a family declared above it.
        var declared = new HashSet<string>();
        foreach (string line in lines)
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                declared.Add(line.Split(' ')[2]);
            else if (!line.StartsWith('#'))
                Assert.Contains(line[..line.IndexOf('{')], declared);
        }

        var snapshot = h.Stack.Snapshot();
        Assert.Equal(snapshot.Processed, Sum(lines, "node_softnet_processed_total{"));
        foreach (var napi in h.Device.Napis)
            Assert.Contains($"softnet_napi_packets_total{{napi_id=\"{napi.Id}\",ifname=\"fq0\"}} {napi.Packets}", lines);
        Assert.Equal(pump.Sent, Sum(lines, "softnet_napi_packets_total{"));
        Assert.Equal(snapshot.Processed, SoftnetStat.Parse(await h.Http.GetStringAsync("softnet_stat")).Sum(row => (long)row[0]));
    }

    private static long Sum(string[] lines, string prefix) =>
        lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..]));
}
