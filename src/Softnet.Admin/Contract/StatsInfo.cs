using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>Every counter of the stack at one moment: per-CPU rows (offline CPUs included), drops by reason, totals, per-NAPI rows.</summary>
public sealed record StatsInfo(
    [property: JsonPropertyName("cpus")] IReadOnlyList<CpuStatsInfo> Cpus,
    [property: JsonPropertyName("drops")] IReadOnlyDictionary<string, long> Drops,
    [property: JsonPropertyName("processed")] long Processed,
    [property: JsonPropertyName("delivered")] long Delivered,
    [property: JsonPropertyName("dropped")] long Dropped,
    [property: JsonPropertyName("ipi_sent")] long IpiSent,
    [property: JsonPropertyName("wakeups")] long Wakeups,
    [property: JsonPropertyName("pool_growth")] long PoolGrowth,
    [property: JsonPropertyName("napis")] IReadOnlyList<NapiStatsInfo>? Napis = null);
