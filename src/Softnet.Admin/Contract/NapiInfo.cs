using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>One NAPI as netlink's <c>napi-get</c> reports it, attribute names as the netdev family spells them.</summary>
public sealed record NapiInfo(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("ifindex")] int IfIndex,
    [property: JsonPropertyName("irq")] int Irq,
    [property: JsonPropertyName("pid")] int? Pid,
    [property: JsonPropertyName("defer-hard-irqs")] int DeferHardIrqs,
    [property: JsonPropertyName("gro-flush-timeout")] long GroFlushTimeout,
    [property: JsonPropertyName("threaded")] string Threaded,
    [property: JsonPropertyName("irq-suspend-timeout")] long IrqSuspendTimeout = 0);
