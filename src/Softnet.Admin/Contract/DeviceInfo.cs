using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>One device: its identity, its device-level threaded value (sysfs <c>threaded</c>), channels and NAPI ids, and the
/// scheduling policy its packet threads run under, and the overload view of its most loaded queue.</summary>
public sealed record DeviceInfo(
    [property: JsonPropertyName("ifindex")] int IfIndex,
    [property: JsonPropertyName("ifname")] string IfName,
    [property: JsonPropertyName("threaded")] string Threaded,
    [property: JsonPropertyName("channels")] ChannelsInfo Channels,
    [property: JsonPropertyName("napis")] IReadOnlyList<int> Napis,
    [property: JsonPropertyName("sched-policy")] string? SchedPolicy = null,
    [property: JsonPropertyName("sched-priority")] int? SchedPriority = null,
    [property: JsonPropertyName("overload")] OverloadStatusInfo? Overload = null,
    [property: JsonPropertyName("state")] string State = "up");
