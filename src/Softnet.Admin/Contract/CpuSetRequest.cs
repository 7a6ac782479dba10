using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>The body of <c>POST /cpu/{n}</c> (<c>/sys/devices/system/cpu/cpuN/online</c>).</summary>
public sealed record CpuSetRequest([property: JsonPropertyName("online")] bool Online);
