using Softnet.Core;
using Softnet.Scheduling;

namespace Softnet.Load;

/// <summary>
/// The receiving end of the load: for every packet, checks its flow's order, records its latency (delivery time minus
/// the send time in its header) in the delivering CPU's histogram, and counts it — or, asked to, only counts it.
/// Allocates nothing per packet.
/// </summary>
public sealed class DeliverySink
{
    private readonly CpuTally[] _tallies;
    private readonly FlowOrder _order;
    private readonly IPlatform _clock;
    private readonly SyntheticWork _work;
    private readonly bool _check;

    /// <param name="cpus">Delivering contexts (stack CPUs, or consumers); each must deliver one batch at a time.</param>
    /// <param name="flows">Flow ids in the headers are 0..flows-1.</param>
    /// <param name="clock">The clock the senders stamped the headers with.</param>
    /// <param name="workUs">Synthetic cost per packet, spun after the packet is observed (<c>--work-us</c>).</param>
    /// <param name="check">False: only count (<c>--handler count</c>), to see the engine's cost without the order check and the histogram.</param>
    public DeliverySink(int cpus, int flows, IPlatform clock, int workUs = 0, bool check = true)
    {
        _check = check;
        _work = new SyntheticWork(workUs);
        _tallies = new CpuTally[cpus];
        for (int i = 0; i < cpus; i++)
            _tallies[i].Latency = new LatencyHistogram();
        _order = new FlowOrder(flows);
        _clock = clock;
    }

    /// <summary>The stack's <see cref="PacketHandler"/>.</summary>
    public void Handle(ReadOnlySpan<Packet> batch, int cpu)
    {
        if (!_check)
        {
            _work.Run(batch.Length);
            ref long delivered = ref _tallies[cpu].Delivered;
            Volatile.Write(ref delivered, delivered + batch.Length);
            return;
        }
        // A batch is handed over at one instant; reading the clock per packet would time the handler, not the path.
        long now = _clock.NowNs();
        ref var tally = ref _tallies[cpu];
        foreach (var packet in batch)
            Observe(ref tally, PacketHeader.ReadFrom(packet.Data), now);
        _work.Run(batch.Length);
        Volatile.Write(ref tally.Delivered, tally.Delivered + batch.Length);
    }

    /// <summary>The same work for one packet that reached <paramref name="cpu"/> some other way; the caller counts it with <see cref="CountDelivered"/>.</summary>
    public void Observe(int cpu, PacketHeader header, long nowNs) => Observe(ref _tallies[cpu], header, nowNs);

    /// <summary>Counts <paramref name="packets"/> delivered on <paramref name="cpu"/> after <see cref="Observe(int, PacketHeader, long)"/>.</summary>
    public void CountDelivered(int cpu, int packets)
    {
        ref var tally = ref _tallies[cpu];
        Volatile.Write(ref tally.Delivered, tally.Delivered + packets);
    }

    /// <summary>Packets seen so far; safe while deliveries go on.</summary>
    public long Delivered
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _tallies.Length; i++)
                sum += Volatile.Read(ref _tallies[i].Delivered);
            return sum;
        }
    }

    /// <summary>Packets that arrived behind a later packet of their flow. Read once deliveries stopped.</summary>
    public long OutOfOrder
    {
        get
        {
            long sum = 0;
            foreach (var tally in _tallies)
                sum += tally.OutOfOrder;
            return sum;
        }
    }

    /// <summary>Every CPU's latencies merged. Read once deliveries stopped.</summary>
    public LatencyHistogram Latency()
    {
        var merged = new LatencyHistogram();
        foreach (var tally in _tallies)
            merged.Merge(tally.Latency);
        return merged;
    }

    private void Observe(ref CpuTally tally, PacketHeader header, long nowNs)
    {
        if (!_order.InOrder(header.Flow, header.Sequence))
            tally.OutOfOrder++;
        tally.Latency.Record(nowNs - header.SentNs);
    }
}
