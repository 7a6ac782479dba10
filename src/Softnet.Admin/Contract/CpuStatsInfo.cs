using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>
/// One CPU's row of <c>/stats</c>: <c>cpu</c>, <c>online</c>, then a field per counter of
/// <see cref="Diagnostics.SoftnetCounters.CpuRow"/> (the softnet_stat columns named as in the kernel, then Softnet's
/// own per-CPU counters), then the CPU's <c>overload</c> detector.
/// </summary>
[JsonConverter(typeof(CpuStatsInfoConverter))]
public sealed record CpuStatsInfo(int Cpu, bool Online, IReadOnlyDictionary<string, long> Counters, OverloadStatusInfo? Overload = null)
{
    /// <summary>A counter's value by its field name (<c>time_squeeze</c>); 0 for a field the server did not send.</summary>
    public long this[string name] => Counters.TryGetValue(name, out long value) ? value : 0;
}
