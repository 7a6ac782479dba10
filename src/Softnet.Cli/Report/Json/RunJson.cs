namespace Softnet.Cli.Report.Json;

/// <summary>
/// <c>softnet run --json</c>. Null fields are omitted: a prefill drain has no <c>seconds</c> or offered <c>rate</c>
/// (it has <c>drain_seconds</c>) and no latency (it would measure the prefill's queueing); <c>--handler count</c> has
/// neither latency nor order check.
/// </summary>
internal sealed record RunJson(
    string Mode,
    string Device,
    double? Seconds,
    int CpuCount,
    int Producers,
    int Flows,
    long? Rate,
    int Size,
    string Handler,
    long Sent,
    long Delivered,
    IReadOnlyDictionary<string, long> Dropped,
    double Pps,
    LatencyJson? LatencyUs,
    long IpiSent,
    long Wakeups,
    double WakeupsPerPacket,
    double AllocBytesPerPacket,
    double? CpuNsPerPacket,
    long? OutOfOrder,
    long PoolGrowth,
    IReadOnlyList<IReadOnlyDictionary<string, long>> Cpus,
    long? Prefill,
    double? DrainSeconds,
    IReadOnlyList<QueueJson>? Queues,
    OverloadJson? Overload,
    ProtectedJson? Protected,
    VerdictJson Verdict,
    string SoftnetStat);

/// <summary>Delivery latency percentiles in microseconds; <c>Cdf</c> pairs [percent, µs] for a CDF plot.</summary>
internal sealed record LatencyJson(double P50, double P99, double P999, IReadOnlyList<double[]>? Cdf = null);

/// <summary>One UDP queue: its NAPI, where its interrupt runs, and what it polled.</summary>
internal sealed record QueueJson(int Queue, int NapiId, int IrqCpu, long Polls, long Packets, long SocketDrops);

/// <summary>What the report's figures mean: exact accounting, why packets were dropped, latency against the target.</summary>
internal sealed record VerdictJson(bool AccountingExact, string Accounting, string? Drops, string? Latency);
