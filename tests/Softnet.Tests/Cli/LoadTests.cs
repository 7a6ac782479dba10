using Softnet.Load;
using Softnet.Scheduling;
using Softnet.Steering;

namespace Softnet.Tests.Cli;

public sealed class LoadTests
{
    [Fact]
    public void FlowHashes_AreNeverZero_AndSpreadOverCpus()
    {
        var map = new RpsMap([0, 1, 2, 3]);
        var perCpu = new int[4];
        for (int flow = 0; flow < 4096; flow++)
        {
            uint hash = FlowHash.Of(flow);
            Assert.NotEqual(0u, hash);
            perCpu[map.CpuFor(hash)]++;
        }

        Assert.All(perCpu, n => Assert.InRange(n, 900, 1150));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 10)]
    [InlineData(4, 1024)]
    public void Producers_OwnDisjointFlows_ThatCoverThemAll(int producers, int flows)
    {
        var owner = new int[flows];
        Array.Fill(owner, -1);
        for (int p = 0; p < producers; p++)
        {
            var set = new FlowSet(p, producers, flows);
            int first = set.Next(out uint hash, out long sequence);
            int flow = first;
            do
            {
                Assert.Equal(-1, owner[flow]);
                Assert.Equal(FlowHash.Of(flow), hash);
                Assert.Equal(0, sequence);
                owner[flow] = p;
                flow = set.Next(out hash, out sequence);
            }
            while (flow != first);
        }

        Assert.DoesNotContain(-1, owner);
    }

    [Fact]
    public void FlowSet_CountsEachFlowsSequence()
    {
        var set = new FlowSet(0, 1, 2);

        Assert.Equal((0, 0L), Take(set));
        Assert.Equal((1, 0L), Take(set));
        Assert.Equal((0, 1L), Take(set));
        Assert.Equal((1, 1L), Take(set));
    }

    [Fact]
    public void FlowOrder_AllowsGaps_AndCountsGoingBack()
    {
        var order = new FlowOrder(4);

        Assert.True(order.InOrder(2, 0));
        Assert.True(order.InOrder(2, 5));
        Assert.False(order.InOrder(2, 3));
        Assert.True(order.InOrder(3, 1));
        Assert.True(order.InOrder(2, 6));
        Assert.False(order.InOrder(2, 6));
    }

    [Fact]
    public void Pacer_Unlimited_AlwaysAllowsAFullBatch()
    {
        var pacer = new Pacer(0, 64, 0);

        Assert.Equal(64, pacer.Take(0));
        Assert.Equal(64, pacer.Take(0));
    }

    [Fact]
    public void Pacer_SendsAtItsRate_InBatchesThatFillWithinTwentyMicroseconds()
    {
        // 1 Mpps: a packet per microsecond, so a batch of 20.
        var pacer = new Pacer(1_000_000, 64, 0);
        long sent = 0;
        for (long now = 0; now <= 10_000_000; now += 1_000)
        {
            int n = pacer.Take(now);
            Assert.True(n is 0 or 20, $"batch of {n}");
            sent += n;
        }

        Assert.InRange(sent, 9_980, 10_000);
    }

    [Fact]
    public void Pacer_Sleeping_WakesOncePerFill_AndSendsWhatAccruedInFullBatches()
    {
        // 1 Mpps with the sleeping producers' 100 µs fill: batches of 64, two per wake-up.
        var pacer = new Pacer(1_000_000, 64, 0, Pacer.SleepingFillNs);
        long sent = 0;
        int wakes = 0;
        for (long now = 0; now <= 10_000_000;)
        {
            int n;
            while ((n = pacer.Take(now)) > 0)
            {
                Assert.Equal(64, n);
                sent += n;
            }
            Assert.InRange(pacer.NsToWake, 64_000, 128_000);
            now += (long)Math.Ceiling(pacer.NsToWake);
            wakes++;
        }

        Assert.InRange(sent, 9_872, 10_000);
        Assert.InRange(wakes, 78, 80);
    }

    [Fact]
    public void Pacer_AfterAStall_CatchesUpOnlyTenMilliseconds()
    {
        var pacer = new Pacer(1_000_000, 64, 0);
        long burst = 0;
        for (int n; (n = pacer.Take(1_000_000_000)) > 0;)
            burst += n;

        Assert.InRange(burst, 9_980, 10_000);
    }

    [Fact]
    public void DeliverySink_CountsLatencyAndOrderPerCpu()
    {
        var sink = new DeliverySink(2, 4, SystemPlatform.Instance);

        sink.Observe(0, new PacketHeader(1, 0, 1_000), 3_000);
        sink.Observe(1, new PacketHeader(2, 4, 1_000), 5_000);
        sink.Observe(1, new PacketHeader(2, 3, 1_000), 5_000);
        sink.CountDelivered(0, 1);
        sink.CountDelivered(1, 2);

        Assert.Equal(3, sink.Delivered);
        Assert.Equal(1, sink.OutOfOrder);
        var latency = sink.Latency();
        Assert.Equal(3, latency.Count);
        Assert.InRange(latency.Percentile(0.3), 2_000, 2_063);
        Assert.InRange(latency.Percentile(1), 4_000, 4_127);
    }

    private static (int Flow, long Sequence) Take(FlowSet set) => (set.Next(out _, out long sequence), sequence);
}
