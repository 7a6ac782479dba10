using System.Globalization;
using Softnet.Cli.Options;
using Softnet.Cli.Report.Json;
using Softnet.Core;

namespace Softnet.Cli.Report;

/// <summary>
/// What a run's figures mean, in words: whether the accounting is exact, why there were drops (and whether that is
/// by design, as flat-out sending on one machine is), and the p99 latency against the target.
/// </summary>
internal static class Verdict
{
    public static VerdictJson Of(RunReport r)
    {
        string? violation = r.Violation();
        string accounting = violation ?? $"exact: sent {N(r.Sent)} = delivered {N(r.Delivered)} + dropped {N(r.DroppedTotal)}, every drop counted with its reason";
        return new VerdictJson(violation is null, accounting, Drops(r), Latency(r));
    }

    public static void WriteText(RunReport r, TextWriter o)
    {
        var v = Of(r);
        o.WriteLine($"verdict: accounting {v.Accounting}");
        o.WriteLine($"         drops: {v.Drops}");
        if (v.Latency is { } latency)
            o.WriteLine($"         latency: {latency}");
    }

    private static string Drops(RunReport r)
    {
        if (r.DroppedTotal == 0)
            return "none";
        var (reason, count) = r.Dropped.MaxBy(d => d.Value);
        string share = (100.0 * r.DroppedTotal / Math.Max(1, r.Sent)).ToString("F2", CultureInfo.InvariantCulture);
        return $"{N(r.DroppedTotal)} ({share}% of sent), most at {reason.Name()} ({N(count)}): {Why(r, reason)}";
    }

    private static string Why(RunReport r, DropReason reason) => reason switch
    {
        DropReason.Backlog when r.Rate == 0 && r.Prefill == 0 =>
            $"flat-out {r.Device} sending drops at the backlog by design (the senders share the machine with the receive path and outrun it); give --rate below the delivered {N((long)r.Pps)} pps to measure without drops",
        DropReason.Socket when r.Prefill > 0 => "the sockets' receive buffers could not hold the prefill",
        _ => Reason(reason),
    };

    /// <summary>The drops of a server (no load of its own): the accounting, and why packets were dropped.</summary>
    public static VerdictJson OfServer(long received, long delivered, IReadOnlyDictionary<DropReason, long> dropped)
    {
        string accounting = received == delivered
            ? $"exact: the handler saw every delivered datagram ({N(delivered)}), every drop counted with its reason"
            : $"the handler counted {received} datagrams but the stack delivered {delivered}";
        long total = dropped.Values.Sum();
        string drops = total == 0 ? "none" : $"{N(total)}, most at {dropped.MaxBy(d => d.Value).Key.Name()}: {Reason(dropped.MaxBy(d => d.Value).Key)}";
        return new VerdictJson(received == delivered, accounting, drops, null);
    }

    /// <summary>What a drop reason means for whoever reads the report.</summary>
    private static string Reason(DropReason reason) => reason switch
    {
        DropReason.Backlog => "a CPU's backlog passed netdev_max_backlog: the offered load exceeded what that CPU delivered",
        DropReason.Socket => "the sockets' receive buffers overflowed before their queues were polled (the kernel's drops, read with SO_RXQ_OVFL)",
        DropReason.FlowLimit => "flow limit dropped the heaviest flows while the backlog was more than half full",
        DropReason.Shutdown => "packets still queued when the stack stopped, counted as the kernel counts them",
        DropReason.Handler => "the handler threw",
        DropReason.NoMemory => "the packet pools were exhausted",
        DropReason.EarlyDrop => "overload control dropped early in the poll, before RPS and the backlog",
        DropReason.DeviceDown => "the device was down",
        DropReason.Malformed => "datagrams the device could not parse",
        _ => reason.Name(),
    };

    private static string? Latency(RunReport r)
    {
        if (r.Prefill > 0 || r.Handler == HandlerKind.Count)
            return null;
        string p99 = r.LatencyP99Us.ToString("F1", CultureInfo.InvariantCulture);
        string target = r.LatencyTargetUs.ToString(CultureInfo.InvariantCulture);
        return r.LatencyP99Us <= r.LatencyTargetUs
            ? $"p99 {p99} µs, within the {target} µs target"
            : $"p99 {p99} µs, over the {target} µs target" + (r.DroppedTotal > 0 ? " (queues were full: latency is queueing time at saturation)" : "");
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
