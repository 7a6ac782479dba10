using System.Collections.Concurrent;
using Softnet.Core;
using Softnet.Devices;
using Softnet.Steering;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>
/// enqueue_to_backlog for a whole batch: one queue-lock hold per target CPU, with netdev_max_backlog and flow limit
/// judged per packet, so drop counts and per-flow order are those of one enqueue per packet.
/// </summary>
public sealed class BatchAdmissionTests
{
    /// <summary>Records every delivery in order per flow; its first call on each CPU in <see cref="Block"/> blocks until released.</summary>
    private sealed class RecordingHandler(params int[] block)
    {
        private readonly ConcurrentDictionary<int, ConcurrentQueue<int>> _seqs = new();
        private readonly ConcurrentDictionary<int, ManualResetEventSlim> _entered = new(block.Select(c => KeyValuePair.Create(c, new ManualResetEventSlim(false))));
        private readonly ConcurrentDictionary<int, int> _blocked = new();
        private long _delivered;

        public ManualResetEventSlim Release { get; } = new(false);

        public long Delivered => Interlocked.Read(ref _delivered);

        public void WaitEntered(int cpu) => Eventually.Set(_entered[cpu], $"CPU {cpu}'s handler to take the first packet");

        public int[] Seqs(int flow) => _seqs.TryGetValue(flow, out var q) ? q.ToArray() : [];

        public void Handle(ReadOnlySpan<Packet> batch, int cpu)
        {
            foreach (var p in batch)
                _seqs.GetOrAdd(Stacks.Flow(p), static _ => new()).Enqueue(Stacks.Seq(p));
            Interlocked.Add(ref _delivered, batch.Length);
            if (_entered.TryGetValue(cpu, out var entered) && _blocked.TryAdd(cpu, 1))
            {
                entered.Set();
                Release.Wait(Eventually.Patience);
            }
        }
    }

    /// <summary>Sends packets alternating over flows, each numbered in its own sequence.</summary>
    private struct AlternatingWriter(int[] flows, uint[] hashes, int[] seqs) : IPacketWriter
    {
        private int _next;

        public void Write(int index, Packet packet)
        {
            int f = _next++ % flows.Length;
            Stacks.WriteFlow(packet, flows[f], seqs[f]++, hashes[f]);
        }
    }

    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void ABatchThatFillsTheBacklogMidway_DropsExactlyItsExcess_AndDeliversTheRestInOrder(KickMode mode)
    {
        const int max = 100;
        const int prefill = 60;
        var handler = new RecordingHandler(1);
        var stack = new NetStack(Stacks.Options(2, mode) with { NetdevMaxBacklog = max, RpsCpus = "2" }, handler.Handle);
        try
        {
            var lo = new LoopbackDevice(stack);
            using var cpu = TestPlatform.As(0);
            var writer = new OneFlowWriter(flow: 1, hash: 0x1234_5678, firstSeq: 0);
            lo.Send(1, ref writer);
            handler.WaitEntered(1);
            lo.Send(prefill, ref writer);
            Assert.Equal(prefill, stack.Snapshot().Cpus[1].InputQueueLength);

            // One batch of 64 for a queue holding 60: admitted while qlen <= max (41 packets), the other 23 dropped.
            lo.Send(LoopbackDevice.MaxBatch, ref writer);
            const int admitted = max + 1 - prefill;
            const int excess = LoopbackDevice.MaxBatch - admitted;
            var snap = stack.Snapshot();
            Assert.Equal(excess, snap.Drops[DropReason.Backlog]);
            Assert.Equal(excess, snap.Cpus[1].Dropped);
            Assert.Equal(excess, lo.RxDropped);
            Assert.Equal(max + 1, snap.Cpus[1].InputQueueLength);

            handler.Release.Set();
            const int delivered = 1 + prefill + admitted;
            Eventually.True(() => handler.Delivered == delivered, () => $"{delivered} deliveries; got {handler.Delivered}");
            // The batch's head went in, its tail was dropped: sequence numbers 0..delivered-1, in order.
            Assert.Equal(Enumerable.Range(0, delivered), handler.Seqs(1));
        }
        finally
        {
            handler.Release.Set();
            stack.Dispose();
        }
    }

    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void ABatchForTwoCpus_IsAdmittedPerTarget_WithExactCountsAndFlowOrder(KickMode mode)
    {
        const int max = 20;
        var handler = new RecordingHandler(1, 2);
        // RPS over CPUs 1 and 2: a hash below 2^31 picks CPU 1, above it CPU 2.
        var stack = new NetStack(Stacks.Options(3, mode) with { NetdevMaxBacklog = max, RpsCpus = "6" }, handler.Handle);
        int[] flows = [1, 2];
        uint[] hashes = [0x1000_0000, 0x9000_0000];
        try
        {
            var lo = new LoopbackDevice(stack);
            using var cpu = TestPlatform.As(0);
            int[] seqs = [0, 0];
            var first = new AlternatingWriter(flows, hashes, seqs);
            lo.Send(2, ref first);
            handler.WaitEntered(1);
            handler.WaitEntered(2);

            // One batch, the two flows interleaved: 32 packets per CPU, of which max + 1 are admitted on each.
            var writer = new AlternatingWriter(flows, hashes, seqs);
            lo.Send(LoopbackDevice.MaxBatch, ref writer);
            const int perCpu = LoopbackDevice.MaxBatch / 2;
            const int excess = perCpu - (max + 1);
            var snap = stack.Snapshot();
            Assert.Equal(2 * excess, snap.Drops[DropReason.Backlog]);
            Assert.Equal(0, snap.Cpus[0].Dropped);
            Assert.Equal(excess, snap.Cpus[1].Dropped);
            Assert.Equal(excess, snap.Cpus[2].Dropped);
            Assert.Equal(max + 1, snap.Cpus[1].InputQueueLength);
            Assert.Equal(max + 1, snap.Cpus[2].InputQueueLength);

            handler.Release.Set();
            Eventually.True(() => handler.Delivered == 2 * (max + 2), () => $"{2 * (max + 2)} deliveries; got {handler.Delivered}");
            Assert.Equal(Enumerable.Range(0, max + 2), handler.Seqs(1));
            Assert.Equal(Enumerable.Range(0, max + 2), handler.Seqs(2));
            snap = stack.Snapshot();
            Assert.Equal(max + 2, snap.Cpus[1].Delivered);
            Assert.Equal(max + 2, snap.Cpus[2].Delivered);
        }
        finally
        {
            handler.Release.Set();
            stack.Dispose();
        }
    }

    [Fact]
    public void FlowLimitInsideOneBatch_JudgesEveryPacket_AsAPacketByPacketReplayDoes()
    {
        const int max = 400;
        const int tableLen = 4096;
        // Longer than a grouping chunk, so the batch is admitted in several holds of the lock; long enough that flow
        // limit engages at half the queue, turns the heavy flow away, and the light flow then fills the queue.
        const int batchLength = 800;
        const int heavy = 1, light = 2, blocker = 3;
        uint HashOf(int flow) => Stacks.HashForBucket(flow + 1, tableLen);
        var handler = new RecordingHandler(1);
        var options = Stacks.Options(2) with { NetdevMaxBacklog = max, RpsCpus = "2", FlowLimit = "all", FlowLimitTableLen = tableLen };
        var stack = new NetStack(options, handler.Handle);
        try
        {
            var lo = new LoopbackDevice(stack);
            using var cpu = TestPlatform.As(0);
            var first = new OneFlowWriter(blocker, HashOf(blocker), 0);
            lo.Send(1, ref first);
            handler.WaitEntered(1);

            // Three of every four packets are the heavy flow's.
            var batch = new Packet[batchLength];
            Assert.Equal(batchLength, stack.Cpu(0).Pool.Rent(batch));
            int[] seqs = new int[4];
            int[] flowOf = new int[batchLength];
            for (int i = 0; i < batchLength; i++)
            {
                int flow = i % 4 == 3 ? light : heavy;
                flowOf[i] = flow;
                Stacks.WriteFlow(batch[i], flow, seqs[flow]++, HashOf(flow));
                batch[i].Device = lo;
            }

            // The reference: the same table fed one packet at a time with the queue length each packet finds.
            var model = new FlowLimitTable(tableLen);
            int qlen = 0;
            long backlogDrops = 0, flowLimitDrops = 0;
            var admitted = new Dictionary<int, List<int>> { [heavy] = [], [light] = [] };
            int[] modelSeqs = new int[4];
            for (int i = 0; i < batchLength; i++)
            {
                int seq = modelSeqs[flowOf[i]]++;
                if (qlen > max)
                {
                    backlogDrops++;
                }
                else if (model.ShouldDrop(HashOf(flowOf[i]), qlen, max))
                {
                    flowLimitDrops++;
                }
                else
                {
                    qlen++;
                    admitted[flowOf[i]].Add(seq);
                }
            }
            Assert.True(flowLimitDrops > 0 && backlogDrops > 0, "the reference should exercise both limits");

            stack.NetifRx(batch);
            var snap = stack.Snapshot();
            Assert.Equal(flowLimitDrops, snap.Drops[DropReason.FlowLimit]);
            Assert.Equal(backlogDrops, snap.Drops[DropReason.Backlog]);
            Assert.Equal(flowLimitDrops, snap.Cpus[0].FlowLimitCount);
            Assert.Equal(flowLimitDrops + backlogDrops, snap.Cpus[1].Dropped);
            Assert.Equal(qlen, snap.Cpus[1].InputQueueLength);

            handler.Release.Set();
            Eventually.True(() => handler.Delivered == 1 + qlen, () => $"{1 + qlen} deliveries; got {handler.Delivered}");
            Assert.Equal(admitted[heavy], handler.Seqs(heavy));
            Assert.Equal(admitted[light], handler.Seqs(light));
        }
        finally
        {
            handler.Release.Set();
            stack.Dispose();
        }
    }

    [Fact]
    public void AOneCpuMap_SteersHashedPacketsToItsCpu_AndLeavesUnhashedOnesWhereTheyAre()
    {
        var handler = new RecordingHandler();
        var stack = new NetStack(Stacks.Options(2) with { RpsCpus = "2" }, handler.Handle);
        try
        {
            var lo = new LoopbackDevice(stack);
            using var cpu = TestPlatform.As(0);
            int[] seqs = [0, 0];
            var writer = new AlternatingWriter([1, 2], [0xdead_beef, 0], seqs);
            lo.Send(40, ref writer);
            Eventually.True(() => handler.Delivered == 40, () => $"40 deliveries; got {handler.Delivered}");
            var snap = stack.Snapshot();
            Assert.Equal(20, snap.Cpus[1].Delivered);
            Assert.Equal(20, snap.Cpus[0].Delivered);
            Assert.Equal(Enumerable.Range(0, 20), handler.Seqs(1));
            Assert.Equal(Enumerable.Range(0, 20), handler.Seqs(2));
        }
        finally
        {
            stack.Dispose();
        }
    }
}
