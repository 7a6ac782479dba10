using System.Diagnostics;
using System.Text.Json;
using Softnet.Admin.Contract;

namespace Softnet.Tests.Admin;

/// <summary>The device-level threaded switch, as the kernel selftest napi_threaded.py exercises it.</summary>
[Collection(AdminCollection.Name)]
public sealed class ThreadedNapiTests
{
    [Fact]
    public async Task EnablingThreadedOnTheDeviceGivesEveryNapiAThreadAndDisablingRemovesThem()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);
        await pump.RunFor(2_000);

        await h.Ok("dev", "set", "fq0", "--threaded", "enabled");
        var napis = await h.DeviceNapis();
        Assert.Equal(4, napis.Length);
        Assert.All(napis, n =>
        {
            Assert.Equal("enabled", n.Threaded);
            Assert.NotNull(n.Pid);
            Assert.Equal($"napi/fq0-{n.Id}", AdminHarness.ThreadName(n.Pid!.Value));
        });
        Assert.Equal(4, napis.Select(n => n.Pid).Distinct().Count());
        var devices = JsonSerializer.Deserialize((await h.Ok("dev", "list", "--json")).Stdout, AdminJsonContext.Default.IReadOnlyListDeviceInfo)!;
        Assert.Equal("enabled", devices.Single(d => d.IfName == "fq0").Threaded);

        // The threads now do the polling: every queue keeps being served.
        var polls = h.Device.Napis.Select(n => n.Polls).ToArray();
        await pump.RunFor(2_000);
        await AdminHarness.Eventually(() => h.Device.Napis.Select(n => n.Polls).Zip(polls).All(p => p.First > p.Second), "every threaded NAPI to poll");

        await h.Ok("dev", "set", "fq0", "--threaded", "disabled");
        napis = await h.DeviceNapis();
        Assert.All(napis, n =>
        {
            Assert.Equal("disabled", n.Threaded);
            Assert.Null(n.Pid);
        });
        await pump.RunFor(2_000);
        pump.Stop();
        await h.AssertAccounted(pump.Sent);
        Assert.Equal(0, h.Delivery.OutOfOrder);
    }

    [Fact]
    public async Task StatsGiveAThreadedNapisThreadStateFromProc()
    {
        await using var h = await AdminHarness.StartAsync();
        await h.Ok("dev", "set", "fq0", "--threaded", "enabled");

        // With no traffic every NAPI thread waits for its queue: /proc says S, the API "sleeping".
        async Task<IReadOnlyList<NapiStatsInfo>> Rows() =>
            JsonSerializer.Deserialize(await h.Http.GetStringAsync("stats"), AdminJsonContext.Default.StatsInfo)!.Napis!.Where(n => n.IfName == "fq0").ToArray();
        var rows = await Rows();
        for (var clock = Stopwatch.StartNew(); !rows.All(n => n.ThreadState == "sleeping"); rows = await Rows())
        {
            Assert.True(clock.Elapsed < AdminHarness.Patience, $"thread states: {string.Join(", ", rows.Select(n => n.ThreadState))}");
            await Task.Delay(5);
        }
        Assert.Equal(4, rows.Count(n => n.Pid is not null));

        await h.Ok("dev", "set", "fq0", "--threaded", "disabled");
        Assert.All(await Rows(), n => Assert.Null(n.ThreadState));
    }

    [Fact]
    public async Task TableListingShowsEveryNapiWithItsThread()
    {
        await using var h = await AdminHarness.StartAsync();
        await h.Ok("dev", "set", "fq0", "--threaded", "enabled");
        var napis = await h.DeviceNapis();

        string table = (await h.Ok("napi", "list")).Stdout;

        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["id", "ifindex", "irq", "pid", "threaded", "defer-hard-irqs", "gro-flush-timeout", "irq-suspend-timeout", "policy", "overload"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(napis.Length, lines.Length - 1);
        foreach (var n in napis)
            Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var id, _, var irq, var pid, "enabled", ..] && id == $"{n.Id}" && irq == $"{n.Irq}" && pid == $"{n.Pid}");
    }
}
