namespace Softnet.Cli.Options;

/// <summary>What <c>softnet run</c>'s handler does with each delivered packet.</summary>
internal enum HandlerKind
{
    /// <summary>Checks each flow's order and records the latency: what the report's out_of_order and latency need.</summary>
    Check,

    /// <summary>Only counts: the engine's cost without the order check and the histogram (no latency, no order check).</summary>
    Count,
}
