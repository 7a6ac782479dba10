using System.Diagnostics;
using Softnet.Core;
using Softnet.Devices;
using Softnet.Tests.TestSupport;
using Xunit.Abstractions;

namespace Softnet.Tests.Core;

/// <summary>The steady-state receive path allocates nothing: loopback → RPS → backlog → handler → deferred free.</summary>
[Collection(SerialCollection.Name)]
public sealed class AllocationTests(ITestOutputHelper output)
{
    private const int Flows = 32;

    private struct SpreadWriter(uint[] hashes) : IPacketWriter
    {
        private int _next;

        public void Write(int index, Packet packet)
        {
            int flow = _next++ % Flows;
            Stacks.WriteFlow(packet, flow, _next, hashes[flow]);
        }
    }

    private sealed class Counter
    {
        public long Handled;
        public long Bytes;

        public void Handle(ReadOnlySpan<Packet> batch, int cpu)
        {
            long bytes = 0;
            foreach (var p in batch)
                bytes += p.Data[0] + p.Length;
            Interlocked.Add(ref Bytes, bytes);
            Interlocked.Add(ref Handled, batch.Length);
        }
    }

    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void SteadyState_AllocatesNothingPerPacket_AndThePoolStopsGrowing(KickMode mode)
    {
        const int packets = 400_000;
        var counter = new Counter();
        // Preallocation above the most packets a CPU can have in flight (two backlog queues, batches, a defer list).
        var options = Stacks.Options(2, mode) with { RpsCpus = "all", PacketPoolSize = 8192, PacketBufferSize = 256 };
        // Only the stack's threads and the sending thread are counted: the test runner's threads allocate as they like.
        var platform = new AllocationMeteringPlatform(options.Platform);
        var stack = new NetStack(options with { Platform = platform }, counter.Handle);
        try
        {
            var lo = new LoopbackDevice(stack);
            var rng = new Random(3);
            var hashes = Enumerable.Range(0, Flows).Select(_ => (uint)rng.Next(1, int.MaxValue) * 2u + 1).ToArray();
            // Half the flows are delivered on the sending CPU (inline), half on the other (RPS, deferred free back).
            var map = new Steering.RpsMap([0, 1]);
            Assert.Contains(hashes, h => map.CpuFor(h) == 0);
            Assert.Contains(hashes, h => map.CpuFor(h) == 1);
            var writer = new SpreadWriter(hashes);
            using var cpu = TestPlatform.As(0);
            long sent = 0;

            // Warm-up: JIT tiers, first-contention lock state, thread-local batches.
            for (int round = 0; round < 3; round++)
            {
                sent += Send(lo, ref writer, packets / 2);
                Assert.True(Settle(stack, counter, sent), "warm-up traffic did not settle");
                Thread.Sleep(150);
            }
            long growth = stack.Snapshot().PoolGrowth;

            // A one-time allocation (a lock's wait object when it first contends) may land in a window; the stack's own
            // per-packet cost would show in every window, so the best of three windows is compared with the slack.
            var windows = new List<string>();
            double best = double.MaxValue;
            for (int window = 0; window < 3 && best >= 0.05; window++)
            {
                Assert.True(platform.TryReadWhileIdle(Eventually.Patience, out long stack0), "the stack's threads never all slept before the window");
                long thread0 = GC.GetAllocatedBytesForCurrentThread();
                sent += Send(lo, ref writer, packets);
                bool settled = Settle(stack, counter, sent);
                long thread1 = GC.GetAllocatedBytesForCurrentThread();
                Assert.True(settled, "measured traffic did not settle");
                Assert.True(platform.TryReadWhileIdle(Eventually.Patience, out long stack1), "the stack's threads never all slept after the window");
                long total0 = stack0 + thread0, total1 = stack1 + thread1;

                // The sending thread also delivers inline (its local half, and the remote CPU's backlog when it takes
                // that CPU's IPI). Nothing per packet: at most a lock's one-time wait object when it first contends.
                Assert.True(thread1 - thread0 <= 128, $"the sending thread allocated {thread1 - thread0} B for {packets} packets");
                double perPacket = (total1 - total0) / (double)packets;
                best = Math.Min(best, perPacket);
                windows.Add($"{total1 - total0} B ({perPacket:F4} B/packet)");
                output.WriteLine($"{mode}: window {window}: sender thread {thread1 - thread0} B, with the stack's threads {total1 - total0} B for {packets} packets");
            }
            Assert.True(best < 0.05, $"the stack's and the sending thread's allocation per {packets} packets in every window: {string.Join(", ", windows)}");
            Assert.Equal(growth, stack.Snapshot().PoolGrowth);
            Assert.True(stack.Snapshot().Cpus.All(c => c.Delivered > 0));
        }
        finally
        {
            stack.Dispose();
        }
        var snap = stack.Snapshot();
        Assert.Equal(snap.Delivered, counter.Handled);
    }

    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void AFlood_NeverGrowsPoolsSizedToTheInFlightBound(KickMode mode)
    {
        const int perProducer = 200_000;
        var counter = new Counter();
        var options = Stacks.Options(2, mode) with { RpsCpus = "all", NetdevMaxBacklog = 300, PacketBufferSize = 128 };
        options = options with { PacketPoolSize = options.InFlightPacketsPerCpu };
        // A slow handler, so both backlogs overflow and stay full: every CPU's packets queue on both CPUs at once.
        var stack = new NetStack(options, (batch, cpu) =>
        {
            Thread.SpinWait(200 * batch.Length);
            counter.Handle(batch, cpu);
        });
        try
        {
            var lo = new LoopbackDevice(stack);
            var rng = new Random(5);
            var hashes = Enumerable.Range(0, Flows).Select(_ => (uint)rng.Next(1, int.MaxValue) * 2u + 1).ToArray();
            var allocated = new long[2];
            var producers = Enumerable.Range(0, 2).Select(c => new Thread(() =>
            {
                using var on = TestPlatform.As(c);
                var writer = new SpreadWriter(hashes);
                // A quarter first, uncounted: the thread's batch array, first contention of each lock, inline softirq paths.
                Send(lo, ref writer, perProducer / 4);
                long before = GC.GetAllocatedBytesForCurrentThread();
                Send(lo, ref writer, perProducer - (perProducer / 4));
                allocated[c] = GC.GetAllocatedBytesForCurrentThread() - before;
            })).ToArray();
            foreach (var t in producers)
                t.Start();
            foreach (var t in producers)
                Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a producer did not finish");
            Assert.True(Settle(stack, counter, 2 * perProducer), "the flood did not settle");

            var snap = stack.Snapshot();
            Assert.True(snap.Dropped > 0, "the flood never overflowed a backlog");
            Assert.Equal(2 * perProducer, snap.Delivered + snap.Dropped);
            // From the first packet on, warm-up included: the pools were sized to what can be in flight.
            Assert.Equal(0, snap.PoolGrowth);
            Assert.All(allocated, bytes => Assert.True(bytes <= 128, $"a producer thread allocated {bytes} B under the flood"));
        }
        finally
        {
            stack.Dispose();
        }
    }

    private static long Send(LoopbackDevice lo, ref SpreadWriter writer, int packets)
    {
        for (int left = packets; left > 0; left -= LoopbackDevice.MaxBatch)
            lo.Send(Math.Min(left, LoopbackDevice.MaxBatch), ref writer);
        return packets;
    }

    /// <summary>Waits, without allocating, until every sent packet was handled or dropped; false after 10 s.</summary>
    private static bool Settle(NetStack stack, Counter counter, long sent)
    {
        long deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            long dropped = 0;
            for (int i = 0; i < stack.CpuCount; i++)
                dropped += Volatile.Read(ref stack.Cpu(i).Counters.Remote.BacklogDropped);
            if (Volatile.Read(ref counter.Handled) + dropped == sent)
                return true;
            Thread.Sleep(1);
        }
        return false;
    }
}
