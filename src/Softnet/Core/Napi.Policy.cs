using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>Which thread polls a NAPI, and under which scheduling policy.</summary>
public abstract partial class Napi
{
    /// <summary>The CPU whose bottom half ran this NAPI's last poll; null before the first.</summary>
    internal SoftnetData? LastPollCpu;

    /// <summary>
    /// The live scheduling policy of the thread that polls this NAPI: its own thread when threaded, otherwise the
    /// softirq thread of the CPU taking its interrupt (or that polled it last). Null when there is no such thread.
    /// </summary>
    public ThreadPolicy? PollerPolicy =>
        ThreadPolicy.Read(Thread?.Handle.OsThreadId ?? (IrqCpu ?? Volatile.Read(ref LastPollCpu))?.Ksoftirqd.Handle?.OsThreadId ?? 0);
}
