using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>The body of <c>POST /dev/{ifname}</c> (dev-set, sysfs <c>threaded</c>; <c>state</c> as ip link set up/down).</summary>
public sealed record DeviceSetRequest(
    [property: JsonPropertyName("threaded")] string? Threaded = null,
    [property: JsonPropertyName("state")] string? State = null);
