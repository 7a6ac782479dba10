using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>The detector's signals, each scaled so that 1 is "at capacity".</summary>
public sealed record OverloadSignalsInfo(
    [property: JsonPropertyName("backlog")] double Backlog,
    [property: JsonPropertyName("socket_fill")] double SocketFill,
    [property: JsonPropertyName("drops")] double Drops,
    [property: JsonPropertyName("time_squeeze")] double TimeSqueeze,
    [property: JsonPropertyName("cpu_share")] double CpuShare);
