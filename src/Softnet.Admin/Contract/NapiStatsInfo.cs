using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>
/// One NAPI's row of <c>/stats</c>: its id and device, its counters by name (<see cref="Diagnostics.SoftnetCounters.NapiRow"/>:
/// <c>polls</c>, <c>packets</c>), how it is polled (<c>threaded</c>), and the OS thread polling it (<c>pid</c>) with that
/// thread's scheduler state (<c>thread_state</c>: running, sleeping, disk-sleep, stopped, …), both absent without a thread.
/// </summary>
public sealed record NapiStatsInfo(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("ifname")] string IfName,
    [property: JsonPropertyName("counters")] IReadOnlyDictionary<string, long> Counters,
    [property: JsonPropertyName("threaded")] string Threaded,
    [property: JsonPropertyName("pid")] int? Pid = null,
    [property: JsonPropertyName("thread_state")] string? ThreadState = null)
{
    /// <summary>A counter's value by its name; 0 for one the server did not send.</summary>
    public long this[string name] => Counters.TryGetValue(name, out long value) ? value : 0;
}
