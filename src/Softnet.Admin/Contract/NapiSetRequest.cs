using System.Text.Json.Serialization;

namespace Softnet.Admin.Contract;

/// <summary>The body of <c>POST /napi/{id}</c> (napi-set): only the attributes given are changed.</summary>
public sealed record NapiSetRequest(
    [property: JsonPropertyName("threaded")] string? Threaded = null,
    [property: JsonPropertyName("defer-hard-irqs")] long? DeferHardIrqs = null,
    [property: JsonPropertyName("gro-flush-timeout")] long? GroFlushTimeout = null,
    [property: JsonPropertyName("irq-suspend-timeout")] long? IrqSuspendTimeout = null);
