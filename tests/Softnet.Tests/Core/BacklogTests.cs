using System.Collections.Concurrent;
using Softnet.Core;
using Softnet.Devices;
using Softnet.Diagnostics;
using Softnet.Steering;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>The per-CPU backlog (enqueue_to_backlog, process_backlog, get_rps_cpu, skb_flow_limit): admission limit, flow limit, RPS steering, per-flow order.</summary>
public sealed class BacklogTests
{
    /// <summary>A handler whose first call on <see cref="BlockCpu"/> blocks until released, so that CPU's backlog fills up.</summary>
    private sealed class BlockingHandler
    {
        public const int BlockCpu = 1;

        private readonly ConcurrentDictionary<int, int> _perFlow = new();
        private int _blocked;
        private long _delivered;

        public ManualResetEventSlim Entered { get; } = new(false);

        public ManualResetEventSlim Release { get; } = new(false);

        public long Delivered => Interlocked.Read(ref _delivered);

        public int DeliveredOf(int flow) => _perFlow.TryGetValue(flow, out int n) ? n : 0;

        public void Handle(ReadOnlySpan<Packet> batch, int cpu)
        {
            foreach (var p in batch)
                _perFlow.AddOrUpdate(Stacks.Flow(p), 1, static (_, n) => n + 1);
            Interlocked.Add(ref _delivered, batch.Length);
            if (cpu == BlockCpu && Interlocked.Exchange(ref _blocked, 1) == 0)
            {
                Entered.Set();
                Release.Wait(Eventually.Patience);
            }
        }
    }

    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void OverMaxBacklog_DropsAreCountedOnTheTargetCpu(KickMode mode)
    {
        const int max = 100;
        var handler = new BlockingHandler();
        // RPS sends every hashed packet to CPU 1; the sender is CPU 0.
        var options = Stacks.Options(2, mode) with { NetdevMaxBacklog = max, RpsCpus = "2" };
        var stack = new NetStack(options, handler.Handle);
        try
        {
            var lo = new LoopbackDevice(stack);
            using var cpu = TestPlatform.As(0);
            var writer = new OneFlowWriter(flow: 1, hash: 0x1234_5678, firstSeq: 0);
            lo.Send(1, ref writer);
            Eventually.Set(handler.Entered, "CPU 1's handler to take the first packet");

            // CPU 1 is busy: its input queue admits while qlen <= max, i.e. max + 1 packets, and drops the rest.
            const int burst = 300;
            lo.Send(burst, ref writer);
            var snap = stack.Snapshot();
            const int dropped = burst - (max + 1);
            Assert.Equal(dropped, snap.Drops[DropReason.Backlog]);
            Assert.Equal(dropped, snap.Cpus[1].Dropped);
            Assert.Equal(0, snap.Cpus[0].Dropped);
            Assert.Equal(max + 1, snap.Cpus[1].InputQueueLength);
            Assert.Equal(dropped, lo.RxDropped);
            var rows = SoftnetStat.Parse(stack.SoftnetStat());
            Assert.Equal((uint)dropped, rows[1][1]);
            Assert.Equal(0u, rows[0][1]);
            Assert.Equal((uint)(max + 1), rows[1][13]);

            handler.Release.Set();
            Eventually.True(() => stack.Snapshot().Cpus[1].Delivered == 1 + max + 1, () => $"the queued packets to be delivered; got {handler.Delivered}");
            snap = stack.Snapshot();
            Assert.Equal(1 + max + 1, handler.Delivered);
            Assert.Equal(0, snap.Cpus[0].Processed);
            Assert.Equal(0, snap.Cpus[1].InputQueueLength + snap.Cpus[1].ProcessQueueLength);
        }
        finally
        {
            handler.Release.Set();
            stack.Dispose();
        }
        var final = stack.Snapshot();
        Assert.Equal(301, final.Delivered + final.Dropped);
    }

    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void Dispose_CountsWhatIsStillQueuedAsShutdownDrops(KickMode mode)
    {
        const int queued = 900;
        var handler = new BlockingHandler();
        var options = Stacks.Options(2, mode) with { RpsCpus = "2", ShutdownDrainTimeout = TimeSpan.FromMilliseconds(20) };
        var stack = new NetStack(options, handler.Handle);
        Thread? disposer = null;
        try
        {
            var lo = new LoopbackDevice(stack);
            using (TestPlatform.As(0))
            {
                var writer = new OneFlowWriter(flow: 1, hash: 0x4242_4242, firstSeq: 0);
                lo.Send(1, ref writer);
                Eventually.Set(handler.Entered, "CPU 1's handler to take the first packet");
                lo.Send(queued, ref writer);
            }
            Assert.Equal(queued, stack.Snapshot().Cpus[1].InputQueueLength);

            // CPU 1 is stuck in its handler: the drain times out, the threads are told to stop, and Dispose joins them.
            disposer = new Thread(stack.Dispose) { IsBackground = true, Name = "test-disposer" };
            disposer.Start();
            Eventually.True(() => !stack.Cpu(0).Ksoftirqd.Handle!.IsAlive, "CPU 0's thread to be stopped and joined");
        }
        finally
        {
            handler.Release.Set();
        }
        Assert.True(disposer.Join(Eventually.Patience), "Dispose did not return");

        var snap = stack.Snapshot();
        long shutdown = snap.Drops[DropReason.Shutdown];
        // The stopping thread finishes the pass it was in (at most a budget), the rest is a shutdown drop.
        Assert.True(shutdown > 0, $"nothing counted as shutdown; delivered {snap.Delivered}");
        Assert.Equal(1 + queued, snap.Delivered + shutdown);
        Assert.Equal(snap.Delivered, handler.Delivered);
        Assert.Equal(shutdown, snap.Dropped);
        // Shutdown drops are not softnet drops.
        Assert.All(snap.Cpus, c => Assert.Equal(0, c.Dropped));
    }

    [Fact]
    public void FlowLimit_DropsTheHeavyFlow_AndSparesLightFlows()
    {
        const int max = 1000;
        const int tableLen = 4096;
        var handler = new BlockingHandler();
        var options = Stacks.Options(2) with { NetdevMaxBacklog = max, RpsCpus = "2", FlowLimit = "all", FlowLimitTableLen = tableLen };
        var stack = new NetStack(options, handler.Handle);
        // Flows with known, distinct flow-limit buckets (none in bucket 0, which the empty history points at).
        const int heavy = 1;
        int[] light = Enumerable.Range(10, 10).ToArray();
        int[] filler = Enumerable.Range(100, 100).ToArray();
        uint HashOf(int flow) => Stacks.HashForBucket(flow + 1, tableLen);
        Assert.Equal(heavy + 1, Stacks.Bucket(HashOf(heavy), tableLen));
        int heavySent = 0, lightSent = 0;
        try
        {
            var lo = new LoopbackDevice(stack);
            using var cpu = TestPlatform.As(0);
            var seq = new int[256];
            void Send(int flow)
            {
                var w = new OneFlowWriter(flow, HashOf(flow), seq[flow]);
                lo.Send(1, ref w);
                seq[flow] = w.NextSeq;
            }

            Send(filler[0]);
            Eventually.Set(handler.Entered, "CPU 1's handler to take the first packet");
            // Half-fill CPU 1's backlog with many small flows: flow limit stays inactive below max / 2.
            for (int i = 0; i < max / 2; i++)
                Send(filler[i % filler.Length]);
            Assert.Equal(max / 2, stack.Snapshot().Cpus[1].InputQueueLength);
            Assert.Equal(0, stack.Snapshot().Drops[DropReason.FlowLimit]);

            // Now active: three of every four packets belong to one flow.
            for (int i = 0; i < 100; i++)
            {
                for (int h = 0; h < 3; h++)
                {
                    Send(heavy);
                    heavySent++;
                }
                Send(light[i % light.Length]);
                lightSent++;
            }

            var snap = stack.Snapshot();
            long flowLimitDrops = snap.Drops[DropReason.FlowLimit];
            Assert.True(flowLimitDrops > 0, "the heavy flow was never flow-limited");
            Assert.Equal(0, snap.Drops[DropReason.Backlog]);
            // The enqueuing CPU's table decided (column 11 on CPU 0); the drop is charged to the target (column 2 on CPU 1).
            Assert.Equal(flowLimitDrops, snap.Cpus[0].FlowLimitCount);
            Assert.Equal(0, snap.Cpus[1].FlowLimitCount);
            Assert.Equal(flowLimitDrops, snap.Cpus[1].Dropped);
            Assert.Equal(0, snap.Cpus[0].Dropped);

            handler.Release.Set();
            int expected = 1 + max / 2 + heavySent + lightSent - (int)flowLimitDrops;
            Eventually.True(() => handler.Delivered == expected, () => $"{expected} deliveries; got {handler.Delivered}");
            int heavyLost = heavySent - handler.DeliveredOf(heavy);
            int lightLost = lightSent - light.Sum(handler.DeliveredOf);
            Assert.Equal(flowLimitDrops, heavyLost);
            Assert.Equal(0, lightLost);
            Assert.True((double)heavyLost / heavySent > (double)lightLost / lightSent);
        }
        finally
        {
            handler.Release.Set();
            stack.Dispose();
        }
    }

    [Fact]
    public void FlowLimitTable_DropsAFlowHoldingMoreThanHalfOfTheHistory_OnlyWhileHalfFull()
    {
        const int tableLen = 4096;
        const int max = 1000;
        var table = new FlowLimitTable(tableLen);
        uint heavy = Stacks.HashForBucket(7, tableLen);

        // Below max / 2 the table is not even consulted.
        for (int i = 0; i < 1000; i++)
            Assert.False(table.ShouldDrop(heavy, max / 2 - 1, max));
        Assert.Equal(0, table.Count);

        // Active: 64 of the last 128 is allowed, the 65th is not.
        for (int i = 0; i < 64; i++)
            Assert.False(table.ShouldDrop(heavy, max / 2, max), $"packet {i} dropped");
        Assert.True(table.ShouldDrop(heavy, max, max));
        Assert.Equal(1, table.Count);

        // 128 packets of distinct other flows push the heavy flow out of the history; none of them is dropped.
        for (int i = 0; i < 128; i++)
            Assert.False(table.ShouldDrop(Stacks.HashForBucket(100 + i, tableLen), max / 2, max), $"light flow {i} dropped");
        Assert.Equal(1, table.Count);

        // Forgotten: the heavy flow gets 64 more before it is limited again.
        for (int i = 0; i < 64; i++)
            Assert.False(table.ShouldDrop(heavy, max / 2, max), $"packet {i} dropped after the history turned over");
        Assert.True(table.ShouldDrop(heavy, max / 2, max));
        Assert.Equal(2, table.Count);
        // Dropped packets stay in the history: the flow keeps losing while it dominates.
        for (int i = 0; i < 10; i++)
            Assert.True(table.ShouldDrop(heavy, max / 2, max));
        Assert.Equal(12, table.Count);
    }

    [Fact]
    public void Rps_SteersEachFlowToItsMapCpu_HashZeroStaysOnTheSender()
    {
        const int cpus = 4;
        const int flows = 200;
        var deliveredOn = new ConcurrentDictionary<(int Flow, int Cpu), int>();
        var options = Stacks.Options(cpus) with { RpsCpus = "all", NetdevMaxBacklog = 100_000 };
        var stack = new NetStack(options, (batch, cpu) =>
        {
            foreach (var p in batch)
                deliveredOn.AddOrUpdate((Stacks.Flow(p), cpu), 1, static (_, n) => n + 1);
        });
        var rng = new Random(42);
        var hashes = Enumerable.Range(0, flows).Select(_ => (uint)rng.Next(1, int.MaxValue) * 2u + 1).ToArray();
        var map = new RpsMap(Enumerable.Range(0, cpus).ToArray());
        int sent = 0;
        try
        {
            var lo = new LoopbackDevice(stack);
            for (int round = 0; round < 20; round++)
            {
                int from = round % cpus;
                using var cpu = TestPlatform.As(from);
                for (int f = 0; f < flows; f++)
                {
                    var w = new OneFlowWriter(f, hashes[f], round);
                    lo.Send(3, ref w);
                    sent += 3;
                }
                // Unhashed packets are not steered: the flow id records the sending CPU.
                var local = new OneFlowWriter(1000 + from, 0, round);
                lo.Send(5, ref local);
                sent += 5;
            }
            Eventually.True(() => deliveredOn.Values.Sum() == sent, () => $"{sent} deliveries; got {deliveredOn.Values.Sum()}{Diagnose.Describe(stack)}");
        }
        finally
        {
            stack.Dispose();
        }

        for (int f = 0; f < flows; f++)
        {
            int expected = map.CpuFor(hashes[f]);
            var where = deliveredOn.Where(kv => kv.Key.Flow == f).ToArray();
            Assert.True(where.Length == 1 && where[0].Key.Cpu == expected, $"flow {f} (hash {hashes[f]:x8}) went to CPUs [{string.Join(",", where.Select(kv => kv.Key.Cpu))}], map says {expected}");
            Assert.Equal(60, where[0].Value);
        }
        for (int from = 0; from < cpus; from++)
            Assert.Equal(25, deliveredOn.GetValueOrDefault((1000 + from, from)));
        // All CPUs got flows.
        Assert.Equal(cpus, deliveredOn.Keys.Where(k => k.Flow < flows).Select(k => k.Cpu).Distinct().Count());
        Assert.Equal(0, stack.Snapshot().Dropped);
    }

    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void Rps_KeepsPerFlowOrder_WhenTheSenderMovesBetweenCpus(KickMode mode)
    {
        const int cpus = 3;
        const int flows = 30;
        const int rounds = 200;
        var last = new int[flows];
        Array.Fill(last, -1);
        int disorder = 0;
        long delivered = 0;
        var options = Stacks.Options(cpus, mode) with { RpsCpus = "all", NetdevMaxBacklog = 100_000 };
        var stack = new NetStack(options, (batch, cpu) =>
        {
            // Flows are pinned to one CPU by RPS and CPUs deliver one batch at a time: plain state is enough.
            foreach (var p in batch)
            {
                int f = Stacks.Flow(p), s = Stacks.Seq(p);
                if (s != last[f] + 1)
                    Interlocked.Increment(ref disorder);
                last[f] = s;
            }
            Interlocked.Add(ref delivered, batch.Length);
        });
        var rng = new Random(7);
        var hashes = Enumerable.Range(0, flows).Select(_ => (uint)rng.Next(1, int.MaxValue)).ToArray();
        var seq = new int[flows];
        try
        {
            var lo = new LoopbackDevice(stack);
            for (int round = 0; round < rounds; round++)
            {
                using var cpu = TestPlatform.As(round % cpus);
                for (int f = 0; f < flows; f++)
                {
                    var w = new OneFlowWriter(f, hashes[f], seq[f]);
                    lo.Send(1 + (round + f) % 7, ref w);
                    seq[f] = w.NextSeq;
                }
            }
            long sent = seq.Sum();
            Eventually.True(() => Interlocked.Read(ref delivered) == sent, () => $"{sent} deliveries; got {Interlocked.Read(ref delivered)}");
        }
        finally
        {
            stack.Dispose();
        }
        Assert.Equal(0, Volatile.Read(ref disorder));
        for (int f = 0; f < flows; f++)
            Assert.Equal(seq[f] - 1, Volatile.Read(ref last[f]));
    }
}
