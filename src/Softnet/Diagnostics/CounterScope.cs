namespace Softnet.Diagnostics;

/// <summary>What one series of a counter belongs to, and so which labels it carries.</summary>
public enum CounterScope
{
    /// <summary>One series per online CPU (label <c>cpu</c>), like a softnet_stat row.</summary>
    Cpu,

    /// <summary>One series per NAPI (labels <c>napi_id</c>, <c>ifname</c>).</summary>
    Napi,

    /// <summary>One series per device (label <c>ifname</c>).</summary>
    Device,

    /// <summary>Series for the whole stack (possibly split by a label such as <c>reason</c>).</summary>
    Stack,
}
