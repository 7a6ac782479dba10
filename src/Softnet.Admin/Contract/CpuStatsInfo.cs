using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>One CPU's softnet_stat columns, named as in the kernel, plus Softnet's own per-CPU counters and
/// the CPU's overload detector.</summary>
public sealed record CpuStatsInfo(
    [property: JsonPropertyName("cpu")] int Cpu,
    [property: JsonPropertyName("online")] bool Online,
    [property: JsonPropertyName("processed")] long Processed,
    [property: JsonPropertyName("dropped")] long Dropped,
    [property: JsonPropertyName("time_squeeze")] long TimeSqueeze,
    [property: JsonPropertyName("received_rps")] long ReceivedRps,
    [property: JsonPropertyName("flow_limit_count")] long FlowLimitCount,
    [property: JsonPropertyName("backlog_len")] int BacklogLen,
    [property: JsonPropertyName("input_queue_len")] int InputQueueLen,
    [property: JsonPropertyName("process_queue_len")] int ProcessQueueLen,
    [property: JsonPropertyName("delivered")] long Delivered,
    [property: JsonPropertyName("ipi_sent")] long IpiSent,
    [property: JsonPropertyName("wakeups")] long Wakeups,
    [property: JsonPropertyName("overload")] OverloadStatusInfo? Overload = null);
