using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>
/// The <c>overload</c> attribute of a CPU (in <c>/stats</c>), a NAPI (napi-get) or a device (dev-get: its most loaded
/// queue's): state, transitions, time in each state, the current level and signals, and the CPU share polling took
/// (last period, highest period, average). <c>throttled</c> counts budget slices the CPU budget cut short (CPUs only);
/// <c>last_transition_ns</c> is when the state last changed, CLOCK_MONOTONIC in nanoseconds (0: never);
/// <c>poll_allocated_bytes</c> what the polls run for the CPU allocated on their threads so far, handler included (CPUs
/// only), so that the allocation per packet can be taken over any window.
/// </summary>
public sealed record OverloadStatusInfo(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("transitions")] long Transitions,
    [property: JsonPropertyName("level")] double Level,
    [property: JsonPropertyName("time_normal_ms")] double TimeNormalMs,
    [property: JsonPropertyName("time_pressured_ms")] double TimePressuredMs,
    [property: JsonPropertyName("time_overloaded_ms")] double TimeOverloadedMs,
    [property: JsonPropertyName("cpu_share")] double CpuShare,
    [property: JsonPropertyName("cpu_share_max")] double CpuShareMax,
    [property: JsonPropertyName("cpu_share_used")] double CpuShareUsed,
    [property: JsonPropertyName("throttled")] long? Throttled,
    [property: JsonPropertyName("signals")] OverloadSignalsInfo Signals,
    [property: JsonPropertyName("last_transition_ns")] long LastTransitionNs = 0,
    [property: JsonPropertyName("poll_allocated_bytes")] long? PollAllocatedBytes = null);
