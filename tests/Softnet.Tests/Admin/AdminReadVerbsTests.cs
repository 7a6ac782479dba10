using System.Text.Json;
using Softnet.Cli.Admin;

namespace Softnet.Tests.Admin;

/// <summary>The read verbs beside the list dumps: <c>napi get ID</c>, <c>cpu list</c>, <c>stat --json</c>; and usage errors that need no server.</summary>
[Collection(AdminCollection.Name)]
public sealed class AdminReadVerbsTests
{
    [Fact]
    public async Task NapiGetShowsOneInstance_AsATableOrTheServersJson()
    {
        await using var h = await AdminHarness.StartAsync();
        int id = h.Device.Napis[1].Id;

        var table = (await h.Ok("napi", "get", $"{id}")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, table.Length);
        Assert.Equal($"{id}", table[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);

        using var json = JsonDocument.Parse((await h.Ok("napi", "get", $"{id}", "--json")).Stdout);
        Assert.Equal(id, json.RootElement.GetProperty("id").GetInt32());

        var missing = await h.Cli("napi", "get", "999999");
        Assert.True(missing.Code == AdminExitCodes.Refused, missing.ToString());
    }

    [Fact]
    public async Task CpuListShowsEveryCpuWithItsState()
    {
        await using var h = await AdminHarness.StartAsync();
        await h.Ok("cpu", "offline", "1");

        var lines = (await h.Ok("cpu", "list")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["cpu", "state", "processed", "dropped", "time_squeeze", "received_rps", "flow_limit_count", "backlog_len"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["0 online", "1 offline"], lines[1..].Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..2])));

        using var json = JsonDocument.Parse((await h.Ok("cpu", "list", "--json")).Stdout);
        Assert.Equal([true, false], json.RootElement.EnumerateArray().Select(c => c.GetProperty("online").GetBoolean()));
        await h.Ok("cpu", "online", "1");
    }

    [Fact]
    public async Task StatJsonHasTheCountersByName()
    {
        await using var h = await AdminHarness.StartAsync();

        using var json = JsonDocument.Parse((await h.Ok("stat", "--json")).Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("cpus").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, json.RootElement.GetProperty("delivered").ValueKind);
        Assert.Equal(JsonValueKind.Object, json.RootElement.GetProperty("drops").ValueKind);
    }

    [Theory]
    [InlineData("napi", "set", "5")]
    [InlineData("napi", "get")]
    [InlineData("cpu", "offline", "x")]
    [InlineData("stat", "--count", "2")]
    [InlineData("stat", "--json", "--watch")]
    [InlineData("dev", "set", "fq0", "--bogus", "1")]
    [InlineData("channels", "set", "fq0", "--admin-token-file", "/x", "--rx", "2")]
    public async Task AUsageErrorIsOneWithoutAServerToo(params string[] command)
    {
        string path = Path.Combine(AdminHarness.NewDirectory(), "admin.sock");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = await AdminVerbs.RunAsync(command[0], [.. command[1..], "--admin", path], stdout, stderr);

        Assert.True(code == AdminExitCodes.Usage, $"{string.Join(' ', command)}: exit {code}, {stderr}");
        Assert.DoesNotContain("no softnet server", stderr.ToString());
        Assert.Contains("usage: softnet " + command[0], stderr.ToString());
    }

    [Theory]
    [InlineData("napi")]
    [InlineData("dev")]
    [InlineData("channels")]
    [InlineData("cpu")]
    [InlineData("stat")]
    public async Task EveryVerbsHelpNamesTheServerOptionsAndTheExitCodes(string verb)
    {
        var stdout = new StringWriter();

        int code = await AdminVerbs.RunAsync(verb, ["--help"], stdout, TextWriter.Null);

        Assert.Equal(AdminExitCodes.Ok, code);
        string help = stdout.ToString();
        Assert.StartsWith($"usage: softnet {verb}", help);
        Assert.Contains("--admin PATH", help);
        Assert.Contains("--admin-http ADDR:PORT", help);
        Assert.Contains("exit codes: 0 ok, 1 refused by the server", help);
        Assert.Contains("3 no server", help);
    }
}
