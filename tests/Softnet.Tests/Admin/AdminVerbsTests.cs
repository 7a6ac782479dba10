using Softnet.Cli.Admin;
using Softnet.Diagnostics;

namespace Softnet.Tests.Admin;

/// <summary>The client verbs' output and exit codes: 0 ok, 1 refused, 2 usage, 3 no server.</summary>
[Collection(AdminCollection.Name)]
public sealed class AdminVerbsTests
{
    [Fact]
    public async Task WithoutAServerEveryVerbExitsThreeAndSaysWhere()
    {
        string path = Path.Combine(AdminHarness.NewDirectory(), "admin.sock");
        string[][] commands = [["napi", "list"], ["dev", "list", "--json"], ["channels", "set", "fq0", "--rx", "2"], ["cpu", "offline", "1"], ["stat"], ["napi", "set", "8193", "--threaded", "1"]];
        foreach (var command in commands)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();

            int code = await AdminVerbs.RunAsync(command[0], [.. command[1..], "--admin", path], stdout, stderr);

            Assert.True(code == AdminExitCodes.NoServer, $"{string.Join(' ', command)}: exit {code}, {stderr}");
            Assert.Contains($"no softnet server at {path}", stderr.ToString());
            Assert.Empty(stdout.ToString());
        }
    }

    [Fact]
    public async Task UsageErrorsExitTwoAndRefusalsExitOneWithTheServersMessage()
    {
        await using var h = await AdminHarness.StartAsync();
        string[][] usage =
        [
            ["napi"], ["napi", "bogus"], ["napi", "set", "abc", "--threaded", "enabled"], ["napi", "set", "8193"],
            ["napi", "list", "--bogus", "1"], ["dev", "set", "fq0"], ["channels", "set", "fq0"], ["channels", "set", "fq0", "--rx", "two"],
            ["cpu", "offline"], ["cpu", "sideways", "1"], ["stat", "--count", "2"], ["stat", "--watch", "--interval", "0"],
            ["napi", "set", "8193", "--threaded", "fast"], ["napi", "set", "8193", "--defer-hard-irqs", "-1"],
            ["dev", "set", "fq0", "--threaded", "on"], ["dev", "set", "fq0", "--state", "sideways"],
        ];
        foreach (var command in usage)
        {
            var result = await h.Cli(command[0], command[1..]);
            Assert.True(result.Code == AdminExitCodes.Usage, $"{string.Join(' ', command)}: {result}");
            Assert.Contains("usage: softnet", result.Stderr);
        }

        // A value outside the library's domain is a usage error naming the option and what it takes.
        var usageError = await h.Cli("napi", "set", $"{h.Device.Napis[0].Id}", "--threaded", "fast");
        Assert.Contains("--threaded must be one of disabled, enabled, busy-poll (got 'fast')", usageError.Stderr);
        usageError = await h.Cli("napi", "set", $"{h.Device.Napis[0].Id}", "--defer-hard-irqs", "-1");
        Assert.Contains("--defer-hard-irqs must be an integer between 0 and 2147483647 (got '-1')", usageError.Stderr);

        // What only the server knows is its to refuse, with its message.
        var refused = await h.Cli("napi", "set", "999999", "--threaded", "enabled");
        Assert.True(refused.Code == AdminExitCodes.Refused, refused.ToString());
        refused = await h.Cli("channels", "set", "lo", "--rx", "1");
        Assert.True(refused.Code == AdminExitCodes.Refused, refused.ToString());
        Assert.Contains("EOPNOTSUPP", refused.Stderr);
        Assert.All(h.Device.Napis, n => Assert.Equal((0, 0L), (n.DeferHardIrqs, n.GroFlushTimeoutNs)));

        var help = await h.Cli("napi", "--help");
        Assert.Equal(AdminExitCodes.Ok, help.Code);
        Assert.StartsWith("usage: softnet napi list", help.Stdout);
    }

    [Fact]
    public async Task StatPrintsSoftnetStatAndDevListPrintsChannels()
    {
        await using var h = await AdminHarness.StartAsync();

        var rows = SoftnetStat.Parse((await h.Ok("stat")).Stdout);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(15, r.Length));

        await h.Ok("channels", "set", "fq0", "--rx", "3");
        var table = (await h.Ok("dev", "list")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ifindex", "ifname", "threaded", "rx", "max", "napis", "policy", "overload", "state"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        string ids = string.Join(',', h.Device.Napis.Select(n => n.Id).OrderDescending());
        Assert.Contains(table, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).SequenceEqual([$"{h.Device.IfIndex}", "fq0", "disabled", "3", "4", ids, "other", "normal", "up"]));
        Assert.Contains(table, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).SequenceEqual([$"{h.Loopback.IfIndex}", "lo", "disabled", "1", "1", "-", "other", "-", "up"]));
    }

    [Fact]
    public async Task StatWatchPrintsOneRateTablePerIntervalUpToCount()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);

        var result = await h.Ok("stat", "--watch", "--interval", "0.2", "--count", "3");

        pump.Stop();
        var tables = result.Stdout.Replace("\r", "").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, tables.Length);
        foreach (string table in tables)
        {
            var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["cpu", "processed/s", "dropped/s", "squeezed/s", "rps/s", "flow_limit/s", "backlog"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(["0", "1"], lines[1..].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]));
            Assert.True(lines[1..].Sum(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])) > 0, table);
        }
        await h.AssertAccounted(pump.Sent);
    }
}
