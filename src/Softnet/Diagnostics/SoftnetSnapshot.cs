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
    public int BacklogLength => InputQueueLength + ProcessQueueLength;
}

/// <summary>Every counter of a stack: the softnet_stat rows, drops by reason, IPIs and wake-ups, NAPIs, devices, delivery latency.</summary>
public sealed record SoftnetSnapshot(
    IReadOnlyList<CpuStat> Cpus,
    IReadOnlyDictionary<DropReason, long> Drops,
    long PoolGrowth)
{
    public long Processed => Cpus.Sum(c => c.Processed);

    /// <summary>Packets the handler returned from normally.</summary>
    public long Delivered => Cpus.Sum(c => c.Delivered);

    public long Dropped => Drops.Values.Sum();

    public long IpiSent => Cpus.Sum(c => c.IpiSent);

    public long Wakeups => Cpus.Sum(c => c.Wakeups);

    public long TimeSqueeze => Cpus.Sum(c => c.TimeSqueeze);

    public IReadOnlyList<NapiStat> Napis { get; init; } = [];

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
                Volatile.Read(ref c.Processed),
                Volatile.Read(ref c.Dropped),
                Volatile.Read(ref c.TimeSqueeze),
                Volatile.Read(ref c.ReceivedRps),
                c.FlowLimit is { } fl ? Volatile.Read(ref fl.Count) : 0,
                c.Backlog.InputLength,
                c.Backlog.ProcessLength,
                Volatile.Read(ref c.Delivered),
                Volatile.Read(ref c.IpiSent),
                Volatile.Read(ref c.Wakeups),
                c.Overload);
            foreach (var r in DropReasons.All)
                drops[r] += c.DropCount(r);
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
        [.. stack.Devices.Select(d => d is UdpDevice u
            ? new DeviceStat(d.Name, d.IfIndex, d.RxDropped, u.TxPackets, u.TxDropped)
            : new DeviceStat(d.Name, d.IfIndex, d.RxDropped, 0, 0))];

    private static LatencyBuckets Latency(NetStack stack)
    {
        var counts = new long[Diagnostics.DeliveryLatency.FiniteBuckets + 1];
        long sumNs = 0;
        for (int i = 0; i < stack.CpuCount; i++)
            sumNs += stack.Cpu(i).Latency.AddTo(counts);
        return new LatencyBuckets(Diagnostics.DeliveryLatency.BoundsSeconds, counts, sumNs / 1e9);
    }
}
