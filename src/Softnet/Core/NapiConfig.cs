using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>
/// A device's per-queue NAPI settings that outlive NAPI instances (napi_config): the id, the threaded mode, the IRQ
/// deferral and suspension knobs — and, while the queue is removed, its parked thread, so the thread and its OS id come back with it.
/// </summary>
public sealed class NapiConfig
{
    internal NapiConfig(int index) => Index = index;

    /// <summary>The queue index this slot belongs to.</summary>
    public int Index { get; }

    /// <summary>The id given to the first NAPI on this slot, reused by every later one (0 until then).</summary>
    public int NapiId { get; internal set; }

    /// <summary>The slot's threaded mode (the netdev <c>threaded</c> attribute), applied to each NAPI created on it.</summary>
    public ThreadedMode Threaded { get; internal set; }

    /// <summary>The slot's defer-hard-irqs: consecutive empty completions that keep the queue masked (napi_defer_hard_irqs).</summary>
    public int DeferHardIrqs { get; internal set; }

    /// <summary>The slot's gro-flush-timeout in nanoseconds: the watchdog delay used while interrupts are deferred.</summary>
    public long GroFlushTimeoutNs { get; internal set; }

    /// <summary>The slot's irq-suspend-timeout in nanoseconds: how long busy polling may keep the interrupt suspended.</summary>
    public long IrqSuspendTimeoutNs { get; internal set; }

    /// <summary>The thread kept for this slot while no NAPI uses it.</summary>
    internal NapiThread? ParkedThread { get; set; }
}
