using System.Text.Json;
using Softnet.Admin.Contract;
using Softnet.Cli.Admin;
using Softnet.Cli.Top;
using Softnet.Core;

namespace Softnet.Tests.Admin;

/// <summary><c>softnet top</c> against a running server, in its plain-text form (stdout is not a terminal here).</summary>
[Collection(AdminCollection.Name)]
public sealed class TopTests
{
    [Fact]
    public async Task TopPrintsCpuAndNapiRatesPerIntervalUpToCount()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = await Top.RunAsync(["--interval", "0.2", "--count", "3", "--admin", h.Server.SocketPath], stdout, stderr);

        pump.Stop();
        Assert.True(code == AdminExitCodes.Ok, stderr.ToString());
        var lines = stdout.ToString().Replace("\r", "").Split('\n');
        var titles = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("softnet top: ", StringComparison.Ordinal)).Select(x => x.i).ToArray();
        Assert.Equal(3, titles.Length);
        foreach (int t in titles)
        {
            Assert.Equal(["cpu", "processed/s", "dropped/s", "squeezed/s", "rps/s", "flow_limit/s", "backlog"], Cells(lines[t + 1]));
            Assert.Equal(["0", "1"], lines[(t + 2)..(t + 4)].Select(l => Cells(l)[0]));
            Assert.True(lines[(t + 2)..(t + 4)].Sum(l => long.Parse(Cells(l)[1])) > 0, string.Join('\n', lines));
            Assert.Equal("", lines[t + 4]);
            Assert.Equal(["napi", "ifname", "polls/s", "packets/s", "threaded", "thread"], Cells(lines[t + 5]));
            var napis = lines[(t + 6)..(t + 6 + h.Device.Napis.Count)].Select(Cells).ToArray();
            Assert.Equal(h.Device.Napis.Select(n => n.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), napis.Select(n => n[0]).Order());
            Assert.All(napis, n => Assert.Equal("fq0", n[1]));
            Assert.True(napis.Sum(n => long.Parse(n[3])) > 0, string.Join('\n', lines));
        }
        await h.AssertAccounted(pump.Sent);
    }

    [Fact]
    public async Task StatsListEveryNapiWithItsCountersAndThread()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(1, AdminHarness.Flows / 2, h.Device.Send);
        await pump.RunFor(500);
        pump.Stop();
        await h.AssertAccounted(pump.Sent);
        // A NAPI counts a poll's packets when the poll returns, after the handler saw them.
        await AdminHarness.Eventually(() => h.Device.Napis.Sum(n => n.Packets) >= pump.Sent, "fq0's NAPIs to count every packet");

        var stats = JsonSerializer.Deserialize(await h.Http.GetStringAsync("stats"), AdminJsonContext.Default.StatsInfo)!;
        var napis = stats.Napis!;
        foreach (var napi in h.Device.Napis)
        {
            var row = napis.Single(n => n.Id == napi.Id);
            Assert.Equal("fq0", row.IfName);
            Assert.Equal(napi.Packets, row["packets"]);
            Assert.Equal(napi.Polls, row["polls"]);
            Assert.Equal(napi.Threaded.Name(), row.Threaded);
        }
        Assert.Equal(pump.Sent, napis.Where(n => n.IfName == "fq0").Sum(n => n["packets"]));
        // The per-CPU rows keep their field names and order.
        using var raw = JsonDocument.Parse(await h.Http.GetStringAsync("stats"));
        Assert.Equal(
            ["cpu", "online", "processed", "dropped", "time_squeeze", "received_rps", "flow_limit_count", "backlog_len", "input_queue_len", "process_queue_len", "delivered", "ipi_sent", "wakeups", "overload"],
            raw.RootElement.GetProperty("cpus")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(stats.Processed, stats.Cpus.Sum(c => c["processed"]));
    }

    [Fact]
    public async Task TopRefusesBadOptionsWithUsageAndAMissingServerWithThree()
    {
        string path = Path.Combine(AdminHarness.NewDirectory(), "admin.sock");
        var stderr = new StringWriter();
        Assert.Equal(AdminExitCodes.Usage, await Top.RunAsync(["--count", "2", "--seconds", "1", "--admin", path], new StringWriter(), stderr));
        Assert.Contains("--count and --seconds cannot be combined", stderr.ToString());
        stderr = new StringWriter();
        Assert.Equal(AdminExitCodes.Usage, await Top.RunAsync(["--interval", "0", "--admin", path], new StringWriter(), stderr));
        Assert.Contains("--interval must be a number of seconds above 0", stderr.ToString());
        stderr = new StringWriter();
        Assert.Equal(AdminExitCodes.NoServer, await Top.RunAsync(["--count", "1", "--admin", path], new StringWriter(), stderr));
        Assert.Contains($"no softnet server at {path}", stderr.ToString());
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
