using Softnet.Cli.Load;
using Softnet.Cli.Options;
using Softnet.Core;
using Softnet.Diagnostics;
using Softnet.Load;

namespace Softnet.Cli.Report;

/// <summary>The outcome of one <c>softnet run</c>: what ran, where every packet went, and what it cost.</summary>
internal sealed record RunReport
{
    public required string Mode { get; init; }

    public required string Device { get; init; }

    public required int CpuCount { get; init; }

    public required int Producers { get; init; }

    public required int Flows { get; init; }

    /// <summary>The offered rate asked for; 0 = as fast as possible.</summary>
    public required long Rate { get; init; }

    public required int Size { get; init; }

    /// <summary>How long the producers ran, measured.</summary>
    public required double Seconds { get; init; }

    public required long Sent { get; init; }

    /// <summary>Packets the handler returned from, as the stack counts them.</summary>
    public required long Delivered { get; init; }

    /// <summary>Packets the handler saw, as the load counts them; equals <see cref="Delivered"/> unless the handler threw.</summary>
    public required long Observed { get; init; }

    /// <summary>Every drop reason, zeros included, in <see cref="DropReason"/> order.</summary>
    public required IReadOnlyList<KeyValuePair<DropReason, long>> Dropped { get; init; }

    public required double LatencyP50Us { get; init; }

    public required double LatencyP99Us { get; init; }

    public required double LatencyP999Us { get; init; }

    /// <summary>Delivery latency (µs) at each of <see cref="CdfPercents"/>: the points of a latency CDF plot.</summary>
    public IReadOnlyList<double> LatencyCdfUs { get; init; } = [];

    /// <summary>The percents <see cref="LatencyCdfUs"/> is taken at.</summary>
    public static readonly double[] CdfPercents = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 98, 99, 99.5, 99.9, 99.95, 99.99];

    public required long IpiSent { get; init; }

    public required long Wakeups { get; init; }

    /// <summary>Managed bytes allocated while the load ran, by every thread but the reporting one, per packet sent.</summary>
    public required double AllocBytesPerPacket { get; init; }

    public required long OutOfOrder { get; init; }

    /// <summary>Packets the pools had to create beyond their preallocation; each is a ~2 KiB allocation counted in <see cref="AllocBytesPerPacket"/>.</summary>
    public required long PoolGrowth { get; init; }

    public required IReadOnlyList<CpuStat> Cpus { get; init; }

    /// <summary>The <c>/proc/net/softnet_stat</c> text.</summary>
    public required string SoftnetStat { get; init; }

    /// <summary>The UDP device's queues (empty for loopback).</summary>
    public IReadOnlyList<Softnet.Devices.Udp.UdpQueueStats> Queues { get; init; } = [];

    /// <summary>The overload policy and every CPU's and queue's detector at the end.</summary>
    public OverloadReport? Overload { get; init; }

    /// <summary>Datagrams queued before the device started (a drain measurement), 0 for a streaming run.</summary>
    public long Prefill { get; init; }

    /// <summary>What the handler did per packet; with <see cref="HandlerKind.Count"/> there is no latency or order check.</summary>
    public HandlerKind Handler { get; init; }

    /// <summary>CPU time per delivered packet of every thread but the UDP senders (<see cref="Load.ReceiveCpuTime"/>); null when /proc could not be read.</summary>
    public double? CpuNsPerPacket { get; init; }

    /// <summary>The p99 latency the verdict compares against, in microseconds.</summary>
    public double LatencyTargetUs { get; init; } = 1000;

    /// <summary>The report of a finished run: the stack disposed, the sink no longer receiving.</summary>
    public static RunReport Create(RunOptions options, SoftnetSnapshot snapshot, DeliverySink sink, long sent, double seconds, double allocBytesPerPacket, long? receiveCpuNs)
    {
        var latency = sink.Latency();
        return new RunReport
        {
            Mode = options.Mode.Name(),
            Device = options.Device.Name(),
            CpuCount = options.Cpus,
            Producers = options.ProducerCount,
            Flows = options.Flows,
            Rate = options.Rate,
            Size = options.Size,
            Seconds = seconds,
            Sent = sent,
            Delivered = snapshot.Delivered,
            Observed = sink.Delivered,
            Dropped = DropReasons.All.Select(r => KeyValuePair.Create(r, snapshot.Drops[r])).ToList(),
            LatencyP50Us = latency.Percentile(0.50) / 1000.0,
            LatencyP99Us = latency.Percentile(0.99) / 1000.0,
            LatencyP999Us = latency.Percentile(0.999) / 1000.0,
            LatencyCdfUs = [.. CdfPercents.Select(p => latency.Percentile(p / 100) / 1000.0)],
            IpiSent = snapshot.IpiSent,
            Wakeups = snapshot.Wakeups,
            AllocBytesPerPacket = allocBytesPerPacket,
            OutOfOrder = sink.OutOfOrder,
            PoolGrowth = snapshot.PoolGrowth,
            Cpus = snapshot.Cpus,
            SoftnetStat = Diagnostics.SoftnetStat.Format(snapshot),
            Overload = OverloadReport.From(options.ToStackOptions(static _ => { }), snapshot),
            Handler = options.Handler,
            CpuNsPerPacket = receiveCpuNs is { } ns && snapshot.Delivered > 0 ? (double)ns / snapshot.Delivered : null,
            LatencyTargetUs = options.LatencyTargetUs,
        };
    }

    public long DroppedTotal => Dropped.Sum(d => d.Value);

    /// <summary>Delivered packets per second of load.</summary>
    public double Pps => Seconds > 0 ? Delivered / Seconds : 0;

    /// <summary>Real wake-ups of sleeping stack threads per delivered packet.</summary>
    public double WakeupsPerPacket => Delivered > 0 ? (double)Wakeups / Delivered : 0;

    /// <summary>
    /// The accounting checks: every packet sent was delivered or dropped with a reason, and the stack's delivered
    /// count matches what the handler saw. Null when both hold, otherwise what is wrong.
    /// </summary>
    public string? Violation()
    {
        if (Sent != Delivered + DroppedTotal)
            return $"accounting does not add up: sent {Sent} != delivered {Delivered} + dropped {DroppedTotal} (difference {Sent - Delivered - DroppedTotal})";
        if (Observed != Delivered)
            return $"the handler saw {Observed} packets but the stack counted {Delivered} delivered";
        return null;
    }
}
