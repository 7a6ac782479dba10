using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>
/// One NAPI as netlink's <c>napi-get</c> reports it, attribute names as the netdev family spells them, plus the
/// scheduling policy and priority of the thread that polls it (<c>sched-policy</c>, <c>sched-priority</c>) and its
/// overload detector's view (<c>overload</c>).
/// </summary>
public sealed record NapiInfo(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("ifindex")] int IfIndex,
    [property: JsonPropertyName("irq")] int Irq,
    [property: JsonPropertyName("pid")] int? Pid,
    [property: JsonPropertyName("defer-hard-irqs")] int DeferHardIrqs,
    [property: JsonPropertyName("gro-flush-timeout")] long GroFlushTimeout,
    [property: JsonPropertyName("threaded")] string Threaded,
    [property: JsonPropertyName("sched-policy")] string? SchedPolicy = null,
    [property: JsonPropertyName("sched-priority")] int? SchedPriority = null,
    [property: JsonPropertyName("overload")] OverloadStatusInfo? Overload = null,
    [property: JsonPropertyName("irq-suspend-timeout")] long IrqSuspendTimeout = 0);
