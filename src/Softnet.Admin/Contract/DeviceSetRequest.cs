using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>The body of <c>POST /dev/{ifname}</c> (dev-set, sysfs <c>threaded</c>).</summary>
public sealed record DeviceSetRequest([property: JsonPropertyName("threaded")] string Threaded);
