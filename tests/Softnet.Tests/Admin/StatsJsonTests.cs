using System.Text.Json;
using System.Text.Json.Nodes;
using Softnet.Admin.Contract;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Tests.Admin;

/// <summary>
/// <c>/stats</c> is written field by field rather than serialized from <see cref="StatsInfo"/>; what clients read it
/// into must still hold all of it, with every counter of the table, and the stack's figures.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed class StatsJsonTests
{
    [Fact]
    public async Task StatsReadIntoTheContract_WithoutLoss_AndCarryTheStacksFigures()
    {
        await using var h = await AdminHarness.StartAsync();
        await h.Ok("dev", "set", "fq0", "--threaded", "enabled");
        using (var pump = new Pump(2, AdminHarness.Flows / 2, h.Device.Send))
        {
            await pump.RunFor(1_000);
            pump.Stop();
            await h.AssertAccounted(pump.Sent);
        }

        string text = await h.Http.GetStringAsync("stats");
        var snapshot = h.Stack.Snapshot();
        var stats = JsonSerializer.Deserialize(text, AdminJsonContext.Default.StatsInfo)!;

        // Nothing the contract does not know, nothing it drops: read and written back, the document is the same.
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(text), JsonNode.Parse(JsonSerializer.Serialize(stats, AdminJsonContext.Default.StatsInfo))),
            $"/stats does not round-trip through StatsInfo: {text}");
        Assert.Equal(snapshot.Delivered, stats.Delivered);
        Assert.Equal(snapshot.Processed, stats.Processed);
        Assert.Equal(snapshot.Dropped, stats.Dropped);
        Assert.Equal(DropReasons.All.Select(r => r.Name()), stats.Drops.Keys);
        Assert.Equal(h.Stack.CpuCount, stats.Cpus.Count);
        Assert.All(stats.Cpus, c =>
        {
            Assert.Equal(SoftnetCounters.CpuRow.Select(counter => counter.Name), c.Counters.Keys);
            Assert.NotNull(c.Overload);
        });
        Assert.Equal(snapshot.Cpus.Sum(c => c.Processed), stats.Cpus.Sum(c => c["processed"]));
        Assert.Equal(snapshot.Napis.Select(n => (n.Id, n.IfName)), stats.Napis!.Select(n => (n.Id, n.IfName)));
        Assert.All(stats.Napis!, n => Assert.Equal(SoftnetCounters.NapiRow.Select(counter => counter.Name), n.Counters.Keys));
        Assert.Equal(snapshot.Napis.Sum(n => n.Packets), stats.Napis!.Sum(n => n["packets"]));
        Assert.All(stats.Napis!.Where(n => n.IfName == "fq0"), n =>
        {
            Assert.Equal("enabled", n.Threaded);
            Assert.NotNull(n.Pid);
            Assert.NotNull(n.ThreadState);
        });
    }
}
