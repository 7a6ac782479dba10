namespace Softnet.StatsD.Tests;

/// <summary>Names as statsd_exporter maps them by default, and the exposition's shape.</summary>
public sealed class PrometheusExportTests
{
    [Theory]
    [InlineData("api.hits", "api_hits")]
    [InlineData("api-v2.hits/s", "api_v2_hits_s")]
    [InlineData("5xx.count", "_5xx_count")]
    [InlineData("already_ok", "already_ok")]
    public void Names_MapDotsAndOtherCharactersToUnderscores(string statsd, string prometheus)
    {
        Assert.Equal(prometheus, PrometheusName.From(statsd));
    }

    [Fact]
    public void Counters_EndInTotal_Once()
    {
        Assert.Equal("api_hits_total", PrometheusName.Counter("api.hits"));
        Assert.Equal("bytes_total", PrometheusName.Counter("bytes.total"));
    }

    [Fact]
    public void Render_AccumulatesCountersOverFlushes_AndServesEachNameOnce()
    {
        var aggregator = new Aggregator();
        var export = new PrometheusExport();
        aggregator.Record("a.b:2|c\nrt:10|ms\nrt:30|ms\na_b_total:1|g\nbad"u8);
        export.Apply(aggregator.Flush(DateTimeOffset.UnixEpoch));
        aggregator.Record("a.b:3|c"u8);
        export.Apply(aggregator.Flush(DateTimeOffset.UnixEpoch));

        string[] lines = export.Render(socketDrops: 7, stackDrops: 0, receiveAllocatedBytes: 0).Split('\n');

        Assert.Contains("# TYPE a_b_total counter", lines);
        Assert.Contains("a_b_total 5", lines);
        Assert.Contains("# TYPE rt summary", lines);
        Assert.Contains("rt_count 2", lines);
        Assert.Contains("rt_sum 0.04", lines);
        Assert.Contains("rt{quantile=\"0.5\"} 0.01", lines);
        Assert.Contains("statsd_socket_drops_total 7", lines);
        Assert.Contains("statsd_dropped_lines_total{reason=\"no_colon\"} 1", lines);
        Assert.Contains("statsd_name_conflicts 1", lines);
        Assert.Single(lines, l => l == "# TYPE a_b_total counter");
    }
}
