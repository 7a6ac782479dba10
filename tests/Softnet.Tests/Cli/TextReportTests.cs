using Softnet.Cli.Report;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Tests.Cli;

public sealed class TextReportTests
{
    [Fact]
    public void Text_HasTheSummary_ANamedCpuTable_AndTheRawSoftnetStat()
    {
        var report = Report(sent: 1_000, delivered: 990, backlogDrops: 10);
        var text = new StringWriter();

        TextReport.Write(report, text);

        string output = text.ToString();
        Assert.Contains("delivered       990", output);
        Assert.Contains("  backlog       10", output);
        Assert.Contains("p99.9", output);
        var header = output.Split('\n').Single(l => l.Contains("time_squeeze", StringComparison.Ordinal));
        Assert.Equal("cpu  processed  dropped  time_squeeze  received_rps  flow_limit_count  backlog_len", header);
        Assert.Contains("  1        600        4             2             3                 0            1", output);
        Assert.EndsWith(report.SoftnetStat, output);
        Assert.Null(report.Violation());
    }

    [Fact]
    public void Verdict_ExplainsFlatOutBacklogDrops_AndJudgesLatencyAgainstTheTarget()
    {
        var report = Report(sent: 1_000, delivered: 990, backlogDrops: 10);

        var verdict = Verdict.Of(report);

        Assert.True(verdict.AccountingExact);
        Assert.StartsWith("exact: sent 1,000 = delivered 990 + dropped 10", verdict.Accounting);
        Assert.Contains("most at backlog (10): flat-out loopback sending drops at the backlog by design", verdict.Drops);
        Assert.Equal("p99 20.0 µs, within the 1000 µs target", verdict.Latency);
        Assert.Contains("over the 10 µs target", Verdict.Of(report with { LatencyTargetUs = 10 }).Latency);
        Assert.Contains("the offered load exceeded", Verdict.Of(report with { Rate = 5_000 }).Drops);
        Assert.False(Verdict.Of(Report(sent: 1_000, delivered: 980, backlogDrops: 10)).AccountingExact);
    }

    [Fact]
    public void Violation_NamesTheMissingPackets()
    {
        var report = Report(sent: 1_000, delivered: 980, backlogDrops: 10);

        Assert.Equal("accounting does not add up: sent 1000 != delivered 980 + dropped 10 (difference 10)", report.Violation());
    }

    private static RunReport Report(long sent, long delivered, long backlogDrops)
    {
        CpuStat[] cpus =
        [
            new(0, true, 390, 6, 0, 0, 0, 0, 0, 390, 0, 0),
            new(1, true, 600, 4, 2, 3, 0, 1, 0, 600, 0, 0),
        ];
        return new RunReport
        {
            Mode = "softirq",
            Device = "loopback",
            CpuCount = 2,
            Producers = 2,
            Flows = 64,
            Rate = 0,
            Size = 64,
            Seconds = 1,
            Sent = sent,
            Delivered = delivered,
            Observed = delivered,
            Dropped = DropReasons.All.Select(r => KeyValuePair.Create(r, r == DropReason.Backlog ? backlogDrops : 0L)).ToList(),
            LatencyP50Us = 1.5,
            LatencyP99Us = 20,
            LatencyP999Us = 300,
            IpiSent = 5,
            Wakeups = 4,
            AllocBytesPerPacket = 0,
            OutOfOrder = 0,
            PoolGrowth = 0,
            Cpus = cpus,
            SoftnetStat = SoftnetStat.Format(new SoftnetSnapshot(cpus, new Dictionary<DropReason, long>(), 0)),
        };
    }
}
