using Softnet.Core;
using Softnet.Devices;
using Softnet.Tests.TestSupport;
using Xunit.Abstractions;

namespace Softnet.Tests.Core;

/// <summary>
/// Several producers through one loopback device with RPS over all CPUs, in both kick modes: accounting, per-flow
/// order, one handler per CPU at a time, no lost wake-up, and a clean shutdown under load.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Cpus = 2;
    private const int Producers = 4;
    private const int FlowsPerProducer = 16;
    private const int Flows = Producers * FlowsPerProducer;
    private const int Iterations = 20;

    /// <summary>What the handler saw: per-flow last sequence, order violations, per-CPU overlap.</summary>
    private sealed class Receiver
    {
        private readonly int[] _inflight = new int[Cpus];
        private readonly int[] _last = new int[Flows];
        private long _delivered;
        private int _overlaps;
        private int _disorder;

        public Receiver() => Array.Fill(_last, -1);

        public long Delivered => Interlocked.Read(ref _delivered);

        public int Overlaps => Volatile.Read(ref _overlaps);

        public int Disorder => Volatile.Read(ref _disorder);

        public int Last(int flow) => Volatile.Read(ref _last[flow]);

        public void Handle(ReadOnlySpan<Packet> batch, int cpu)
        {
            if (Interlocked.Increment(ref _inflight[cpu]) != 1)
                Interlocked.Increment(ref _overlaps);
            foreach (var p in batch)
            {
                int f = Stacks.Flow(p), s = Stacks.Seq(p);
                // Strictly increasing per flow (gaps would be drops; there is no room for reordering).
                if (s <= _last[f])
                    Interlocked.Increment(ref _disorder);
                Volatile.Write(ref _last[f], s);
            }
            Interlocked.Add(ref _delivered, batch.Length);
            Interlocked.Decrement(ref _inflight[cpu]);
        }
    }

    /// <summary>The flows: hashes spread over all CPUs, each flow written by exactly one producer.</summary>
    private sealed class FlowSet
    {
        public FlowSet(int seed)
        {
            var rng = new Random(seed);
            Hashes = Enumerable.Range(0, Flows).Select(_ => (uint)rng.Next(1, int.MaxValue) * 2u + 1).ToArray();
        }

        public uint[] Hashes { get; }

        /// <summary>Next sequence number per flow; written only by the flow's producer.</summary>
        public int[] NextSeq { get; } = new int[Flows];
    }

    private struct ProducerWriter(FlowSet flows, int producer) : IPacketWriter
    {
        private int _cursor;

        public void Write(int index, Packet packet)
        {
            int flow = producer * FlowsPerProducer + (_cursor++ % FlowsPerProducer);
            Stacks.WriteFlow(packet, flow, flows.NextSeq[flow]++, flows.Hashes[flow]);
        }
    }

    /// <summary>Producer threads sending bursts until told to stop or their packet budget or time runs out.</summary>
    private sealed class Load
    {
        private readonly Thread[] _threads;
        private readonly long[] _sent = new long[Producers];
        private volatile bool _stop;
        private Exception? _error;

        /// <param name="paced">Random batch sizes and pauses between batches, so queues often run empty and threads sleep.</param>
        public Load(LoopbackDevice lo, FlowSet flows, long packetsEach, TimeSpan maxTime, bool paced = false, int seed = 0)
        {
            _threads = Enumerable.Range(0, Producers).Select(p => new Thread(() =>
            {
                try
                {
                    var writer = new ProducerWriter(flows, p);
                    var rng = new Random(seed * Producers + p);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    while (!_stop && _sent[p] < packetsEach && clock.Elapsed < maxTime)
                    {
                        int batch = paced ? rng.Next(1, LoopbackDevice.MaxBatch + 1) : LoopbackDevice.MaxBatch;
                        int n = (int)Math.Min(batch, packetsEach - _sent[p]);
                        lo.Send(n, ref writer);
                        Volatile.Write(ref _sent[p], _sent[p] + n);
                        if (paced)
                            Thread.SpinWait(rng.Next(0, 4000));
                    }
                }
                catch (Exception e)
                {
                    _error = e;
                }
            })
            { IsBackground = true, Name = $"test-producer-{p}" }).ToArray();
            foreach (var t in _threads)
                t.Start();
        }

        /// <summary>Packets handed to the device; exact once the producers are joined.</summary>
        public long Sent => _sent.Sum();

        public void StopAndJoin()
        {
            _stop = true;
            Join();
        }

        /// <summary>Waits for the producers to send their whole budget.</summary>
        public void Join()
        {
            foreach (var t in _threads)
                Assert.True(t.Join(Eventually.Patience), $"{t.Name} did not finish");
            Assert.Null(_error);
        }
    }

    private static NetStackOptions Options(KickMode mode) => new()
    {
        Cpus = Cpus,
        Mode = mode,
        RpsCpus = "all",
        // Large enough that a burst is never dropped: the last packet of every flow must arrive.
        NetdevMaxBacklog = 1 << 17,
        PacketBufferSize = 64,
        Log = static _ => { },
    };

    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void Bursts_KeepOrderAndAccounting_OneHandlerPerCpu_NoLostWakeup(KickMode mode)
    {
        const int bursts = 4;
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            var receiver = new Receiver();
            var flows = new FlowSet(iteration);
            var stack = new NetStack(Options(mode), receiver.Handle);
            long sent = 0;
            try
            {
                var lo = new LoopbackDevice(stack);
                for (int burst = 0; burst < bursts; burst++)
                {
                    // Alternately flat out and paced (queues drain between batches, so CPUs go to sleep and are kicked again).
                    bool paced = burst % 2 == 1;
                    var load = new Load(lo, flows, paced ? 3_000 : 12_000, TimeSpan.FromSeconds(5), paced, seed: iteration * bursts + burst);
                    load.Join();
                    sent += load.Sent;

                    // No further traffic: every flow's last packet still arrives (nobody slept on a pending kick).
                    // (The stack counts a batch as delivered once the handler has returned, so that is waited for too.)
                    long expected = sent;
                    Eventually.True(
                        () => Enumerable.Range(0, Flows).All(f => receiver.Last(f) == flows.NextSeq[f] - 1)
                            && receiver.Delivered == expected && stack.Snapshot().Delivered == expected,
                        () => $"iteration {iteration} burst {burst}: last packets; missing (flow:last/sent) " + string.Join(",", Enumerable.Range(0, Flows)
                            .Where(f => receiver.Last(f) != flows.NextSeq[f] - 1)
                            .Select(f => $"{f}:{receiver.Last(f)}/{flows.NextSeq[f] - 1}")) + Diagnose.Describe(stack),
                        TimeSpan.FromSeconds(5));
                    Assert.Equal(sent, receiver.Delivered);
                }
                Assert.Equal(flows.NextSeq.Sum(), sent);

                var snap = stack.Snapshot();
                Assert.Equal(sent, snap.Delivered);
                Assert.Equal(0, snap.Dropped);
                Assert.Equal(sent, snap.Processed);
                Assert.True(snap.Cpus.All(c => c.Delivered > 0), "RPS should spread the flows over every CPU");
                if (mode == KickMode.BacklogThreads)
                {
                    Assert.Equal(0, snap.IpiSent);
                    Assert.All(snap.Cpus, c => Assert.Equal(0, c.ReceivedRps));
                }
                else
                {
                    Assert.True(snap.IpiSent > 0, "remote traffic in softirq mode sends IPIs");
                    long received = snap.Cpus.Sum(c => c.ReceivedRps);
                    Assert.InRange(received, 1, snap.IpiSent);
                }
                Assert.True(snap.Wakeups < sent, $"{snap.Wakeups} wake-ups for {sent} packets");
            }
            finally
            {
                stack.Dispose();
            }

            var final = stack.Snapshot();
            Assert.Equal(sent, final.Delivered + final.Dropped);
            Assert.Equal(0, receiver.Disorder);
            Assert.Equal(0, receiver.Overlaps);
        }
    }

    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void DisposeUnderLoad_Returns_StopsEveryStackThread_AndAccountsForEveryPacket(KickMode mode)
    {
        // This collection runs alone: stack threads seen now belong to stacks other tests left behind.
        int before = StackThreads.Count();
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            var receiver = new Receiver();
            var flows = new FlowSet(1000 + iteration);
            var stack = new NetStack(Options(mode) with { NetdevMaxBacklog = 1000 }, receiver.Handle);
            // This stack's threads, by OS thread id, with the names the OS shows for them.
            var threads = new List<(int Tid, string Name)>();
            for (int i = 0; i < Cpus; i++)
            {
                threads.Add((stack.Cpu(i).Ksoftirqd.Handle!.OsThreadId, $"ksoftirqd/{i}"));
                if (mode == KickMode.BacklogThreads)
                    threads.Add((stack.Cpu(i).BacklogThread!.Handle.OsThreadId, $"backlog_napi/{i}"));
            }
            Assert.Equal(Cpus * (mode == KickMode.BacklogThreads ? 2 : 1), threads.Count);
            foreach (var (tid, name) in threads)
                Eventually.True(() => StackThreads.NameOf(tid) == name, () => $"thread {tid} to be named {name}; it is {StackThreads.NameOf(tid)}");
            var lo = new LoopbackDevice(stack);
            var load = new Load(lo, flows, packetsEach: 2_000_000, TimeSpan.FromSeconds(10));
            try
            {
                Eventually.True(() => receiver.Delivered >= 2_000, "the load to get going");

                Exception? disposeError = null;
                var disposer = new Thread(() =>
                {
                    try
                    {
                        stack.Dispose();
                    }
                    catch (Exception e)
                    {
                        disposeError = e;
                    }
                })
                { IsBackground = true, Name = "test-disposer" };
                string state = Diagnose.Describe(stack);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                disposer.Start();
                Assert.True(disposer.Join(TimeSpan.FromSeconds(15)), $"iteration {iteration}: Dispose did not return under load");
                if (clock.ElapsedMilliseconds > 500)
                    output.WriteLine($"iteration {iteration}: Dispose took {clock.ElapsedMilliseconds} ms; before:{state}\n after:{Diagnose.Describe(stack)}");
                Assert.Null(disposeError);

                for (int i = 0; i < Cpus; i++)
                {
                    Assert.False(stack.Cpu(i).Ksoftirqd.Handle!.IsAlive, $"ksoftirqd/{i} alive after Dispose");
                    Assert.False(stack.Cpu(i).BacklogThread?.Handle.IsAlive ?? false, $"backlog_napi/{i} alive after Dispose");
                }
                foreach (var (tid, name) in threads)
                    Eventually.True(() => StackThreads.NameOf(tid) != name, () => $"iteration {iteration}: {name} (tid {tid}) still in /proc/self/task after Dispose");
            }
            finally
            {
                load.StopAndJoin();
                stack.Dispose();
            }

            var snap = stack.Snapshot();
            Assert.Equal(load.Sent, snap.Delivered + snap.Dropped);
            Assert.Equal(snap.Delivered, receiver.Delivered);
            Assert.Equal(0, receiver.Disorder);
            Assert.Equal(0, receiver.Overlaps);
            if (mode == KickMode.BacklogThreads)
                Assert.Equal(0, snap.IpiSent);
        }
        // Twenty stacks later, not one more ksoftirqd/N or backlog_napi/N thread than before.
        Eventually.True(() => StackThreads.Count() <= before, () => $"{StackThreads.Count() - before} stack threads leaked");
    }
}
