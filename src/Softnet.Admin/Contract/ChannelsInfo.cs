using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>A device's RX channel count and the most it accepts, as <c>ethtool -l</c> shows them.</summary>
public sealed record ChannelsInfo(
    [property: JsonPropertyName("rx")] int Rx,
    [property: JsonPropertyName("max")] int Max);
