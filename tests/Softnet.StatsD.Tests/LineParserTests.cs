using System.Text;

namespace Softnet.StatsD.Tests;

/// <summary>The Etsy line protocol: each type, sample rates, gauge deltas, and every reason a line is refused.</summary>
public sealed class LineParserTests
{
    [Theory]
    [InlineData("api.hits:3|c", MetricKind.Counter, 3, false, 1)]
    [InlineData("api.hits:1|c|@0.25", MetricKind.Counter, 1, false, 0.25)]
    [InlineData("db.query:12.5|ms", MetricKind.Timer, 12.5, false, 1)]
    [InlineData("db.query:7|ms|@0.5", MetricKind.Timer, 7, false, 0.5)]
    [InlineData("pool.size:40|g", MetricKind.Gauge, 40, false, 1)]
    [InlineData("pool.size:+3|g", MetricKind.Gauge, 3, true, 1)]
    [InlineData("pool.size:-2.5|g", MetricKind.Gauge, -2.5, true, 1)]
    public void NumericLines_ParseToKindValueAndRate(string line, MetricKind kind, double value, bool delta, double rate)
    {
        var drop = LineParser.TryParse(Encoding.UTF8.GetBytes(line), out var metric);

        Assert.Equal(LineDrop.None, drop);
        Assert.Equal(line[..line.IndexOf(':')], Encoding.UTF8.GetString(metric.Name));
        Assert.Equal(kind, metric.Kind);
        Assert.Equal(value, metric.Value);
        Assert.Equal(delta, metric.IsDelta);
        Assert.Equal(rate, metric.SampleRate);
    }

    [Fact]
    public void SetLine_KeepsItsMemberAsSent()
    {
        var drop = LineParser.TryParse("users.unique:alice|s"u8, out var metric);

        Assert.Equal(LineDrop.None, drop);
        Assert.Equal(MetricKind.Set, metric.Kind);
        Assert.Equal("alice", Encoding.UTF8.GetString(metric.RawValue));
    }

    [Theory]
    [InlineData("no colon here", LineDrop.NoColon)]
    [InlineData(":1|c", LineDrop.EmptyName)]
    [InlineData("a:|c", LineDrop.BadValue)]
    [InlineData("a:x|c", LineDrop.BadValue)]
    [InlineData("a:NaN|g", LineDrop.BadValue)]
    [InlineData("a:1e999|ms", LineDrop.BadValue)]
    [InlineData("a:|s", LineDrop.BadValue)]
    [InlineData("a:1", LineDrop.BadType)]
    [InlineData("a:1|h", LineDrop.BadType)]
    [InlineData("a:1|", LineDrop.BadType)]
    [InlineData("a:1|c|0.5", LineDrop.BadSampleRate)]
    [InlineData("a:1|c|@0", LineDrop.BadSampleRate)]
    [InlineData("a:1|c|@1.5", LineDrop.BadSampleRate)]
    [InlineData("a:1|c|@", LineDrop.BadSampleRate)]
    [InlineData("a:1|c|@0.5|#tag:x", LineDrop.ExtraField)]
    public void MalformedLines_AreRefusedWithTheirReason(string line, LineDrop expected)
    {
        Assert.Equal(expected, LineParser.TryParse(Encoding.UTF8.GetBytes(line), out _));
    }

    [Fact]
    public void OverlongName_IsRefused()
    {
        string line = new string('n', LineParser.MaxNameBytes + 1) + ":1|c";

        Assert.Equal(LineDrop.BadName, LineParser.TryParse(Encoding.UTF8.GetBytes(line), out _));
    }
}
