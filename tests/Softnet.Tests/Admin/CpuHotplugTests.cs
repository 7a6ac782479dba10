using Softnet.Core;
using Softnet.Devices;

namespace Softnet.Tests.Admin;

/// <summary>CPU offline and online through the admin verbs while loopback traffic is steered by RPS to both CPUs.</summary>
[Collection(AdminCollection.Name)]
public sealed class CpuHotplugTests
{
    [Fact]
    public async Task CpuOfflineAndOnlineUnderTrafficLoseNothingAndKeepEveryFlowInOrder()
    {
        await using var h = await AdminHarness.StartAsync();
        h.Loopback.SetRpsCpus("all");
        using var pump = new Pump(2, AdminHarness.Flows / 2, (flow, seq) => Send(h.Loopback, flow, seq));
        await pump.RunFor(2_000);

        for (int round = 0; round < 6; round++)
        {
            string cpu = $"{round % 2}";
            Assert.Equal($"cpu {cpu}: offline\n", (await h.Ok("cpu", "offline", cpu)).Stdout.Replace("\r", ""));
            Assert.DoesNotContain(h.Stack.Snapshot().Cpus, c => c.Cpu == round % 2 && c.Online);
            await pump.RunFor(20_000);
            await h.Ok("cpu", "online", cpu);
            await pump.RunFor(20_000);
        }

        pump.Stop();
        await h.AssertAccounted(pump.Sent);
        Assert.Equal(0, h.Delivery.OutOfOrder);
        Assert.All(h.Stack.Snapshot().Cpus, c => Assert.True(c.Online));
        Assert.True(h.Stack.Snapshot().Cpus.All(c => c.Processed > 0), "RPS should have spread the flows over both CPUs");
    }

    [Fact]
    public async Task TheLastOnlineCpuCannotGoOffline()
    {
        await using var h = await AdminHarness.StartAsync();
        await h.Ok("cpu", "offline", "0");

        var refused = await h.Cli("cpu", "offline", "1");

        Assert.True(refused.Code == 1, refused.ToString());
        Assert.Contains("EBUSY", refused.Stderr);
        Assert.Contains(h.Stack.Snapshot().Cpus, c => c.Cpu == 1 && c.Online);
        await h.Ok("cpu", "online", "0");
        Assert.Equal(2, Diagnostics.SoftnetStat.Parse(h.Stack.SoftnetStat()).Count);
    }

    private static void Send(LoopbackDevice lo, int flow, long seq)
    {
        var writer = new FlowWriter(flow, seq);
        lo.Send(1, ref writer);
    }

    private readonly struct FlowWriter(int flow, long seq) : IPacketWriter
    {
        public void Write(int index, Packet packet) => FlowPacket.Write(packet, flow, seq);
    }
}
