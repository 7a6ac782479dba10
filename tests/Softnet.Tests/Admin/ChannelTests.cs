using Softnet.Admin.Contract;

namespace Softnet.Tests.Admin;

/// <summary>
/// Persistent NAPI config across channel changes (napi_config, netif_napi_add_config): ids, per-NAPI settings and the threaded mode
/// follow the queue slot, settings written while a queue is gone apply when it returns, and the NAPI's thread
/// (its OS id and name) is kept across delete and add.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed class ChannelTests
{
    [Fact]
    public async Task PerNapiOverrideSurvivesChannelShrinkAndRestore()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);
        var before = await h.DeviceNapis();
        var last = before[3];

        // Deferral itself stays off (it needs both knobs non-zero): see DeferredCompletionTests.
        await h.Ok("napi", "set", $"{last.Id}", "--threaded", "enabled", "--defer-hard-irqs", "2");
        await h.Ok("napi", "set", $"{before[2].Id}", "--gro-flush-timeout", "20000");
        int? pid = (await h.DeviceNapis())[3].Pid;
        Assert.NotNull(pid);
        await pump.RunFor(1_000);

        await h.Ok("channels", "set", "fq0", "--rx", "2");
        var shrunk = await h.DeviceNapis();
        Assert.Equal([before[0].Id, before[1].Id], shrunk.Select(n => n.Id));
        var gone = await h.Cli("napi", "set", $"{last.Id}", "--threaded", "disabled");
        Assert.True(gone.Code == 1, gone.ToString());
        Assert.Contains("ENOENT", gone.Stderr);
        await pump.RunFor(1_000);

        await h.Ok("channels", "set", "fq0", "--rx", "4");
        var restored = await h.DeviceNapis();
        Assert.Equal(before.Select(n => n.Id), restored.Select(n => n.Id));
        Assert.Equal(Settings(last) with { Pid = pid, DeferHardIrqs = 2, Threaded = "enabled" }, Settings(restored[3]));
        Assert.Equal(Settings(before[2]) with { GroFlushTimeout = 20_000 }, Settings(restored[2]));
        Assert.All(restored[..2], n => Assert.Equal(Settings(before[n.Irq]), Settings(n)));

        await pump.RunFor(1_000);
        pump.Stop();
        await h.AssertAccounted(pump.Sent);
    }

    [Fact]
    public async Task DeviceSettingWrittenWhileQueuesAreRemovedAppliesWhenTheyReturn()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);

        await h.Ok("channels", "set", "fq0", "--rx", "1");
        await h.Ok("dev", "set", "fq0", "--threaded", "enabled");
        Assert.NotNull(Assert.Single(await h.DeviceNapis()).Pid);
        await pump.RunFor(1_000);
        await h.Ok("channels", "set", "fq0", "--rx", "4");
        var napis = await h.DeviceNapis();
        Assert.Equal(4, napis.Length);
        Assert.All(napis, n =>
        {
            Assert.Equal("enabled", n.Threaded);
            Assert.Equal($"napi/fq0-{n.Id}", AdminHarness.ThreadName(Assert.NotNull(n.Pid)));
        });

        // And the other way: turned off while shrunk, the returning queues come back without threads.
        int[] parked = [.. napis[2..].Select(n => n.Pid!.Value)];
        await h.Ok("channels", "set", "fq0", "--rx", "2");
        await h.Ok("dev", "set", "fq0", "--threaded", "disabled");
        // The stop joins each parked thread; the OS task itself leaves /proc a moment after its managed code returns.
        await AdminHarness.Eventually(
            () => parked.All(tid => AdminHarness.ThreadName(tid) is null), "the parked NAPI threads to exit");
        await h.Ok("channels", "set", "fq0", "--rx", "4");
        Assert.All(await h.DeviceNapis(), n =>
        {
            Assert.Equal("disabled", n.Threaded);
            Assert.Null(n.Pid);
        });

        await pump.RunFor(1_000);
        pump.Stop();
        await h.AssertAccounted(pump.Sent);
    }

    [Fact]
    public async Task ThreadedQueuesKeepTheirIdsThreadIdsAndNamesAcrossChannelChanges()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);
        await h.Ok("dev", "set", "fq0", "--threaded", "enabled");
        var before = await h.DeviceNapis();

        for (int round = 0; round < 3; round++)
        {
            await pump.RunFor(500);
            await h.Ok("channels", "set", "fq0", "--rx", "1");
            await pump.RunFor(500);
            await h.Ok("channels", "set", "fq0", "--rx", "4");
        }

        var after = await h.DeviceNapis();
        Assert.Equal(before.Select(Settings), after.Select(Settings));
        Assert.All(after, n => Assert.Equal($"napi/fq0-{n.Id}", AdminHarness.ThreadName(n.Pid!.Value)));
        await pump.RunFor(1_000);
        pump.Stop();
        await h.AssertAccounted(pump.Sent);
    }

    /// <summary>What napi-set configures, without the live figures (poller policy, overload) that change as it runs.</summary>
    private static NapiInfo Settings(NapiInfo n) => n with { SchedPolicy = null, SchedPriority = null, Overload = null };
}
