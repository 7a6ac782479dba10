using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>One device: its identity, its device-level threaded value (sysfs <c>threaded</c>), channels and NAPI ids.</summary>
public sealed record DeviceInfo(
    [property: JsonPropertyName("ifindex")] int IfIndex,
    [property: JsonPropertyName("ifname")] string IfName,
    [property: JsonPropertyName("threaded")] string Threaded,
    [property: JsonPropertyName("channels")] ChannelsInfo Channels,
    [property: JsonPropertyName("napis")] IReadOnlyList<int> Napis,
    [property: JsonPropertyName("state")] string State = "up");
