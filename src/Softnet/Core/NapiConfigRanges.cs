namespace Softnet.Core;

/// <summary>
/// The allowed values of the per-NAPI settings, in one place for the library, the admin API and the CLI, named as
/// netlink's netdev family names the attributes. <c>defer-hard-irqs</c> is capped at S32_MAX like the kernel's policy;
/// <c>gro-flush-timeout</c> and <c>irq-suspend-timeout</c> at 10 s, far beyond any useful deferral or suspension.
/// </summary>
public static class NapiConfigRanges
{
    /// <summary>The allowed values of defer-hard-irqs: 0 to S32_MAX.</summary>
    public static NapiConfigRange DeferHardIrqs { get; } = new("defer-hard-irqs", 0, int.MaxValue);

    /// <summary>The allowed values of gro-flush-timeout in nanoseconds: 0 to 10 s.</summary>
    public static NapiConfigRange GroFlushTimeoutNs { get; } = new("gro-flush-timeout", 0, 10_000_000_000);

    /// <summary>The allowed values of irq-suspend-timeout in nanoseconds: 0 to 10 s.</summary>
    public static NapiConfigRange IrqSuspendTimeoutNs { get; } = new("irq-suspend-timeout", 0, 10_000_000_000);
}
