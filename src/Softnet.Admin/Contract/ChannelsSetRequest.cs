using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>The body of <c>POST /dev/{ifname}/channels</c> (<c>ethtool -L rx K</c>).</summary>
public sealed record ChannelsSetRequest([property: JsonPropertyName("rx")] long Rx);
