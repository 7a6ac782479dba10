namespace Softnet.Tests.Admin;

/// <summary>
/// Threaded busy-poll (napi_threaded_poll_loop with NAPI_STATE_THREADED_BUSY_POLL): the NAPI's thread spins instead of sleeping, delivers everything, and
/// keeps its mode and thread across queue and CPU changes.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed class BusyPollTests
{
    [Fact]
    public async Task BusyPollDeliversEveryPacketAndItsThreadNeverSleepsWhileOn()
    {
        await using var h = await AdminHarness.StartAsync();
        var napi = h.Device.Napis[0];

        await h.Ok("napi", "set", $"{napi.Id}", "--threaded", "busy-poll");
        var info = (await h.DeviceNapis())[0];
        Assert.Equal("busy-poll", info.Threaded);
        Assert.NotNull(info.Pid);
        var thread = napi.Thread!;
        // Spinning: polls keep coming with no traffic at all.
        long polls = napi.Polls;
        await AdminHarness.Eventually(() => napi.Polls > polls + 1_000, "the busy-poll thread to spin");
        long sleeps = thread.Sleeps;

        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);
        await pump.RunFor(5_000);
        pump.Stop();
        await h.AssertAccounted(pump.Sent);
        Assert.Equal(0, h.Delivery.OutOfOrder);
        Assert.True(napi.Packets > 0, "the busy-polled queue got no traffic");
        Assert.Equal(sleeps, thread.Sleeps);

        await h.Ok("napi", "set", $"{napi.Id}", "--threaded", "disabled");
        info = (await h.DeviceNapis())[0];
        Assert.Equal("disabled", info.Threaded);
        Assert.Null(info.Pid);
        Assert.False(thread.Handle.IsAlive);
    }

    [Fact]
    public async Task BusyPollSurvivesChannelChangesAndCpuHotplugUnderTraffic()
    {
        await using var h = await AdminHarness.StartAsync();
        using var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send);
        var before = await h.DeviceNapis();
        await h.Ok("napi", "set", $"{before[3].Id}", "--threaded", "busy-poll");
        await h.Ok("napi", "set", $"{before[0].Id}", "--threaded", "enabled");
        int? pid = (await h.DeviceNapis())[3].Pid;

        for (int round = 0; round < 3; round++)
        {
            await pump.RunFor(20_000);
            await h.Ok("channels", "set", "fq0", "--rx", "1");
            await pump.RunFor(20_000);
            await h.Ok("channels", "set", "fq0", "--rx", "4");
            await h.Ok("cpu", "offline", $"{round % 2}");
            await pump.RunFor(20_000);
            await h.Ok("cpu", "online", $"{round % 2}");
        }

        var after = await h.DeviceNapis();
        Assert.Equal((before[3].Id, "busy-poll", pid), (after[3].Id, after[3].Threaded, after[3].Pid));
        Assert.Equal("enabled", after[0].Threaded);
        await h.Ok("dev", "set", "fq0", "--threaded", "disabled");
        await pump.RunFor(20_000);
        pump.Stop();
        await h.AssertAccounted(pump.Sent);
    }
}
