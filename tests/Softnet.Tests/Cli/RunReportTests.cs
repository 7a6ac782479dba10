using System.Text.Json;
using Softnet.Cli.Commands;
using Softnet.Cli.Report;
using Softnet.Core;

namespace Softnet.Tests.Cli;

/// <summary>The whole command in-process: a short run in each mode, its JSON parsed and checked field by field.</summary>
public sealed class RunReportTests
{
    private static readonly string[] CpuFields = ["cpu", "processed", "dropped", "time_squeeze", "received_rps", "flow_limit_count", "backlog_len"];

    [Theory]
    [InlineData("softirq")]
    [InlineData("backlog-threads")]
    public void Json_HasEveryField_AndEveryPacketIsAccountedFor(string mode)
    {
        var (exit, stdout, stderr) = CliRunner.Run(
            "run", "--device", "loopback", "--seconds", "1", "--mode", mode, "--cpus", "2", "--producers", "2", "--flows", "64", "--rate", "200000", "--json");

        Assert.True(exit == ExitCodes.Ok, $"exit {exit}: {stderr}");
        Assert.Contains("offered", stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(mode, root.GetProperty("mode").GetString());
        Assert.Equal("loopback", root.GetProperty("device").GetString());
        Assert.InRange(root.GetProperty("seconds").GetDouble(), 0.9, 5);
        long sent = root.GetProperty("sent").GetInt64();
        long delivered = root.GetProperty("delivered").GetInt64();
        Assert.True(sent > 0);
        Assert.True(delivered > 0);

        var dropped = root.GetProperty("dropped");
        long droppedSum = 0;
        foreach (var reason in DropReasons.All)
            droppedSum += dropped.GetProperty(reason.Name()).GetInt64();
        Assert.Equal(DropReasons.Count, dropped.EnumerateObject().Count());
        Assert.Equal(sent, delivered + droppedSum);
        Assert.Equal(0, root.GetProperty("out_of_order").GetInt64());

        Assert.True(root.GetProperty("pps").GetDouble() > 0);
        var latency = root.GetProperty("latency_us");
        double p50 = latency.GetProperty("p50").GetDouble();
        double p99 = latency.GetProperty("p99").GetDouble();
        double p999 = latency.GetProperty("p999").GetDouble();
        Assert.True(p50 > 0 && p50 <= p99 && p99 <= p999, $"p50 {p50}, p99 {p99}, p99.9 {p999}");
        // The CDF's points rise with the percent and pass through the percentiles above.
        var cdf = latency.GetProperty("cdf").EnumerateArray().Select(p => (Percent: p[0].GetDouble(), Us: p[1].GetDouble())).ToList();
        Assert.Equal(RunReport.CdfPercents, cdf.Select(p => p.Percent));
        Assert.True(cdf.Zip(cdf.Skip(1)).All(p => p.First.Us <= p.Second.Us), string.Join(", ", cdf));
        Assert.Equal(p50, cdf.Single(p => p.Percent == 50).Us);
        Assert.Equal(p99, cdf.Single(p => p.Percent == 99).Us);
        long ipis = root.GetProperty("ipi_sent").GetInt64();
        if (mode == "backlog-threads")
            Assert.Equal(0, ipis);
        Assert.True(root.GetProperty("wakeups").GetInt64() >= 0);
        Assert.True(root.GetProperty("wakeups_per_packet").GetDouble() >= 0);
        // Other tests allocate in this process at the same time, so only the field's presence is checked here.
        Assert.Equal(JsonValueKind.Number, root.GetProperty("alloc_bytes_per_packet").ValueKind);

        var cpus = root.GetProperty("cpus").EnumerateArray().ToList();
        Assert.Equal(2, cpus.Count);
        for (int i = 0; i < cpus.Count; i++)
        {
            foreach (string field in CpuFields)
                Assert.Equal(JsonValueKind.Number, cpus[i].GetProperty(field).ValueKind);
            Assert.Equal(i, cpus[i].GetProperty("cpu").GetInt32());
        }
        Assert.Equal(delivered, cpus.Sum(c => c.GetProperty("processed").GetInt64()));

        string stat = root.GetProperty("softnet_stat").GetString()!;
        var rows = stat.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rows.Length);
        Assert.All(rows, row => Assert.Equal(15, row.Split(' ').Length));
    }
}
