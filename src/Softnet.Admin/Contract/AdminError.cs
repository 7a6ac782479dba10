using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>Every refused request's body: a message for people and the errno netlink would have returned.</summary>
public sealed record AdminError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("errno")] string Errno);
