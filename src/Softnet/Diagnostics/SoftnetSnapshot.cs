using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Overload;

namespace Softnet.Diagnostics;

/// <summary>One CPU's softnet_stat row plus Softnet's own per-CPU figures and its overload detector's view.</summary>
public readonly record struct CpuStat(
    int Cpu,
    bool Online,
    long Processed,
    long Dropped,
    long TimeSqueeze,
    long ReceivedRps,
    long FlowLimitCount,
    int InputQueueLength,
    int ProcessQueueLength,
    long Delivered,
    long IpiSent,
    long Wakeups,
    OverloadInfo Overload = default)
{
    /// <summary>The CPU's backlog length: input queue plus process queue (softnet_stat's backlog length column).</summary>
    public int BacklogLength => InputQueueLength + ProcessQueueLength;

    /// <summary>
    /// softnet_stat's <c>dropped</c> column: backlog and flow-limit drops counted on this CPU, as <see cref="Dropped"/>
    /// (named for the column); <see cref="SoftnetSnapshot.TotalDropped"/> counts every reason.
    /// </summary>
    public long BacklogDropped => Dropped;
}

/// <summary>Every counter of a stack: the softnet_stat rows, drops by reason, IPIs and wake-ups, NAPIs, devices, delivery latency.</summary>
public sealed record SoftnetSnapshot(
    IReadOnlyList<CpuStat> Cpus,
    IReadOnlyDictionary<DropReason, long> Drops,
    long PoolGrowth)
{
    /// <summary>Packets taken off the poll lists for the handler, over every CPU (the softnet_stat <c>processed</c> column).</summary>
    public long Processed => Cpus.Sum(c => c.Processed);

    /// <summary>Packets the handler returned from normally.</summary>
    public long Delivered => Cpus.Sum(c => c.Delivered);

    /// <summary>Packets dropped for any reason (the sum of <see cref="Drops"/>), as <see cref="TotalDropped"/>; a CPU's <see cref="CpuStat.Dropped"/> is softnet_stat's backlog column only.</summary>
    public long Dropped => TotalDropped;

    /// <summary>Packets dropped for any reason: with <see cref="Delivered"/>, every packet that entered the stack.</summary>
    public long TotalDropped => Drops.Values.Sum();

    /// <summary>IPI-style kicks sent to other CPUs (RPS and the defer list), over every CPU.</summary>
    public long IpiSent => Cpus.Sum(c => c.IpiSent);

    /// <summary>Wake-ups of sleeping stack threads, over every CPU.</summary>
    public long Wakeups => Cpus.Sum(c => c.Wakeups);

    /// <summary>Poll rounds cut short with work left, over every CPU (the softnet_stat <c>time_squeeze</c> column).</summary>
    public long TimeSqueeze => Cpus.Sum(c => c.TimeSqueeze);

    /// <summary>Every NAPI's figures.</summary>
    public IReadOnlyList<NapiStat> Napis { get; init; } = [];

    /// <summary>Every device's figures.</summary>
    public IReadOnlyList<DeviceStat> Devices { get; init; } = [];

    /// <summary>Time from the device taking a packet in to the handler getting it, over every CPU.</summary>
    public LatencyBuckets DeliveryLatency { get; init; } = LatencyBuckets.Empty;

    internal static SoftnetSnapshot Take(NetStack stack)
    {
        var cpus = new CpuStat[stack.CpuCount];
        var drops = DropReasons.All.ToDictionary(r => r, _ => 0L);
        long growth = 0;
        for (int i = 0; i < cpus.Length; i++)
        {
            var c = stack.Cpu(i);
            cpus[i] = new CpuStat(
                i,
                c.Online,
                Volatile.Read(ref c.Counters.Processed),
                Volatile.Read(ref c.Counters.Remote.BacklogDropped),
                Volatile.Read(ref c.Counters.TimeSqueeze),
                Volatile.Read(ref c.Counters.ReceivedRps),
                c.FlowLimit is { } fl ? Volatile.Read(ref fl.Count) : 0,
                c.Backlog.InputLength,
                c.Backlog.ProcessLength,
                Volatile.Read(ref c.Counters.Delivered),
                Volatile.Read(ref c.Counters.Remote.IpiSent),
                Volatile.Read(ref c.Counters.Remote.Wakeups),
                c.Overload);
            foreach (var r in DropReasons.All)
                drops[r] += c.Counters.DropCount(r);
            growth += c.Pool.Grown;
        }
        return new SoftnetSnapshot(cpus, drops, growth)
        {
            Napis = NapiRows(stack),
            Devices = DeviceRows(stack),
            DeliveryLatency = Latency(stack),
        };
    }

    private static NapiStat[] NapiRows(NetStack stack) =>
        [.. stack.Devices.SelectMany(d => d.Napis.Select(n => new NapiStat(n.Id, d.Name, d.IfIndex, n.Polls, n.Packets, n.Threaded, n.ThreadId, n.Overload)))];

    private static DeviceStat[] DeviceRows(NetStack stack) =>
        [.. stack.Devices.Select(d => new DeviceStat(
            d.Name,
            d.IfIndex,
            d.RxDropped,
            d is UdpDevice u ? u.TxPackets : 0,
            d.TxDropped,
            TxDropReasons.All.ToDictionary(r => r, d.TxDropCount)))];

    private static LatencyBuckets Latency(NetStack stack)
    {
        var counts = new long[Diagnostics.DeliveryLatency.FiniteBuckets + 1];
        long sumNs = 0;
        for (int i = 0; i < stack.CpuCount; i++)
            sumNs += stack.Cpu(i).Latency.AddTo(counts);
        return new LatencyBuckets(Diagnostics.DeliveryLatency.BoundsSeconds, counts, sumNs / 1e9);
    }
}
