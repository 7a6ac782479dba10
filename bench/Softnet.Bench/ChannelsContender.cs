using System.Threading.Channels;
using Softnet.Core;
using Softnet.Load;
using Softnet.Scheduling;
using Softnet.Steering;

namespace Softnet.Bench;

/// <summary>
/// What a .NET developer would write instead of Softnet: one bounded channel per CPU (capacity = netdev_max_backlog,
/// FullMode.Wait, but producers use TryWrite and count a drop when it is full — a backlog's semantics), one consumer
/// per channel, the packet as a struct (no per-packet allocation), the channel picked with RPS's multiply-shift of the
/// same flow hash, and the same handler work (order check, latency record) as Softnet's handler.
/// </summary>
internal sealed class ChannelsContender(ConsumerForm form) : IContender
{
    /// <summary>Packets handled per clock read, like a Softnet delivery batch of dev_weight.</summary>
    private const int Batch = 64;

    private static readonly IPlatform Clock = SystemPlatform.Instance;

    public string Name => $"Channels ({form.Name()})";

    public Measurement Run(BenchOptions options, int seconds)
    {
        int capacity = new NetStackOptions().NetdevMaxBacklog;
        var sink = new DeliverySink(options.Cpus, options.Flows, Clock);
        var rps = new RpsMap(Enumerable.Range(0, options.Cpus).ToArray());
        var channels = new Channel<PacketHeader>[options.Cpus];
        for (int i = 0; i < channels.Length; i++)
        {
            channels[i] = Channel.CreateBounded<PacketHeader>(new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
                SingleWriter = options.Producers == 1,
            });
        }
        var suspensions = new long[(channels.Length + 1) * 8];
        var consumers = new Task[channels.Length];
        for (int i = 0; i < channels.Length; i++)
            consumers[i] = StartConsumer(channels[i].Reader, i, sink, suspensions);

        var producers = new Producers(options, channels, rps, seconds);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long ownBefore = GC.GetAllocatedBytesForCurrentThread();
        var threadsBefore = options.Threads ? ThreadCpu.Take() : null;
        long cpuBefore = ProcessCpu.Ns();
        long startNs = Clock.NowNs();
        producers.Start(startNs);
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        // Before the producers stop: their threads exit, and an exited thread's counters are gone.
        var threads = threadsBefore is null ? null : ThreadCpu.Between(threadsBefore, ThreadCpu.Take());
        producers.Stop();
        long endNs = Clock.NowNs();
        long cpuNs = ProcessCpu.Ns() - cpuBefore;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - (GC.GetAllocatedBytesForCurrentThread() - ownBefore);

        foreach (var channel in channels)
            channel.Writer.Complete();
        if (!Task.WaitAll(consumers, TimeSpan.FromSeconds(10)))
            throw new InvalidOperationException($"{Name}: consumers did not drain within 10 s");
        var latency = sink.Latency();
        long waits = 0;
        for (int i = 0; i < channels.Length; i++)
            waits += suspensions[(i + 1) * 8];
        long delivered = sink.Delivered;
        return new Measurement(
            (endNs - startNs) / 1e9,
            producers.Sent,
            delivered,
            producers.Dropped,
            form == ConsumerForm.ReadAll || delivered == 0 ? null : (double)waits / delivered,
            null,
            producers.Sent > 0 ? (double)allocated / producers.Sent : 0,
            sink.OutOfOrder,
            latency.Percentile(0.50) / 1000.0,
            latency.Percentile(0.99) / 1000.0,
            cpuNs,
            threads);
    }

    /// <summary>
    /// Starts channel <paramref name="cpu"/>'s consumer. A suspension (the channel was empty, so the consumer had to be
    /// woken by a producer) is counted where the form lets us see it: the estimate of the baseline's wake-ups.
    /// </summary>
    private Task StartConsumer(ChannelReader<PacketHeader> reader, int cpu, DeliverySink sink, long[] suspensions)
    {
        return form switch
        {
            ConsumerForm.WaitTryRead => Task.Run(() => WaitTryReadAsync(reader, cpu, sink, suspensions)),
            ConsumerForm.ReadAll => Task.Run(() => ReadAllAsync(reader, cpu, sink)),
            _ => Task.Factory.StartNew(() => DedicatedThread(reader, cpu, sink, suspensions), TaskCreationOptions.LongRunning),
        };
    }

    private static async Task WaitTryReadAsync(ChannelReader<PacketHeader> reader, int cpu, DeliverySink sink, long[] suspensions)
    {
        while (true)
        {
            var wait = reader.WaitToReadAsync();
            if (!wait.IsCompleted)
                suspensions[(cpu + 1) * 8]++;
            if (!await wait)
                return;
            Drain(reader, cpu, sink);
        }
    }

    /// <summary>The enumerator hides when it waits, so the clock is read per packet: a stale reading after a wait would understate latency.</summary>
    private static async Task ReadAllAsync(ChannelReader<PacketHeader> reader, int cpu, DeliverySink sink)
    {
        await foreach (var header in reader.ReadAllAsync())
        {
            sink.Observe(cpu, header, Clock.NowNs());
            sink.CountDelivered(cpu, 1);
        }
    }

    private static void DedicatedThread(ChannelReader<PacketHeader> reader, int cpu, DeliverySink sink, long[] suspensions)
    {
        while (true)
        {
            Drain(reader, cpu, sink);
            var wait = reader.WaitToReadAsync();
            bool more;
            if (wait.IsCompleted)
            {
                more = wait.Result;
            }
            else
            {
                suspensions[(cpu + 1) * 8]++;
                more = wait.AsTask().GetAwaiter().GetResult();
            }
            if (!more)
                return;
        }
    }

    /// <summary>Handles what the channel holds, a clock read per <see cref="Batch"/> packets.</summary>
    private static void Drain(ChannelReader<PacketHeader> reader, int cpu, DeliverySink sink)
    {
        int n;
        do
        {
            long now = Clock.NowNs();
            n = 0;
            while (n < Batch && reader.TryRead(out var header))
            {
                sink.Observe(cpu, header, now);
                n++;
            }
            sink.CountDelivered(cpu, n);
        }
        while (n == Batch);
    }

    /// <summary>The producers: the same threads, flows, round-robin, pacing and stamping as the softnet command's loopback load.</summary>
    private sealed class Producers
    {
        private readonly Thread[] _threads;
        private readonly long[] _sent;
        private readonly long[] _dropped;
        private readonly ManualResetEventSlim _go = new();
        private readonly double _ratePerProducer;
        private long _startNs;
        private volatile bool _stop;

        public Producers(BenchOptions options, Channel<PacketHeader>[] channels, RpsMap rps, int seconds)
        {
            _threads = new Thread[options.Producers];
            _ratePerProducer = (double)options.Rate / options.Producers;
            _sent = new long[(options.Producers + 1) * 8];
            _dropped = new long[(options.Producers + 1) * 8];
            long durationNs = (seconds + 5) * 1_000_000_000L;
            for (int i = 0; i < _threads.Length; i++)
            {
                var flows = new FlowSet(i, options.Producers, options.Flows);
                int slot = (i + 1) * 8;
                _threads[i] = new Thread(() => Produce(flows, channels, rps, slot, durationNs)) { Name = $"producer/{i}", IsBackground = true };
                _threads[i].Start();
            }
        }

        public long Sent => Sum(_sent);

        public long Dropped => Sum(_dropped);

        public void Start(long startNs)
        {
            _startNs = startNs;
            _go.Set();
        }

        public void Stop()
        {
            _stop = true;
            foreach (var thread in _threads)
            {
                if (!thread.Join(TimeSpan.FromSeconds(10)))
                    throw new InvalidOperationException("a channel producer did not stop within 10 s");
            }
        }

        private void Produce(FlowSet flows, Channel<PacketHeader>[] channels, RpsMap rps, int slot, long durationNs)
        {
            _go.Wait();
            var send = new ChannelSend(flows, channels, rps, _dropped, slot);
            PacedProducer.Run(ref send, _ratePerProducer, Batch, Clock, _startNs, durationNs, () => _stop, ref _sent[slot]);
        }

        /// <summary>A batch written packet by packet, RPS picking the channel; a full channel is a counted drop.</summary>
        private struct ChannelSend(FlowSet flows, Channel<PacketHeader>[] channels, RpsMap rps, long[] droppedSlots, int slot) : IBatchSend
        {
            private long _dropped;

            public void Send(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    int flow = flows.Next(out uint hash, out long sequence);
                    if (!channels[rps.CpuFor(hash)].Writer.TryWrite(new PacketHeader(flow, sequence, Clock.NowNs())))
                        _dropped++;
                }
                Volatile.Write(ref droppedSlots[slot], _dropped);
            }
        }

        private static long Sum(long[] padded)
        {
            long sum = 0;
            for (int i = 8; i < padded.Length; i += 8)
                sum += Volatile.Read(ref padded[i]);
            return sum;
        }
    }
}
