using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>
/// A device's per-queue NAPI settings that outlive NAPI instances (napi_config): the id, the threaded mode, the IRQ
/// deferral and suspension knobs — and, while the queue is removed, its parked thread, so the thread and its OS id come back with it.
/// </summary>
public sealed class NapiConfig
{
    internal NapiConfig(int index) => Index = index;

    public int Index { get; }

    /// <summary>The id given to the first NAPI on this slot, reused by every later one (0 until then).</summary>
    public int NapiId { get; internal set; }

    public ThreadedMode Threaded { get; internal set; }

    public int DeferHardIrqs { get; internal set; }

    public long GroFlushTimeoutNs { get; internal set; }

    public long IrqSuspendTimeoutNs { get; internal set; }

    /// <summary>The thread kept for this slot while no NAPI uses it.</summary>
    internal NapiThread? ParkedThread { get; set; }
}
