using Softnet.Overload;
using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>
/// A read-only view of one of the stack's logical CPUs: where it runs, whether it is online, its overload state and
/// the live scheduling policies of its packet threads. Its counters are in <see cref="NetStack.Snapshot"/>'s
/// <see cref="Diagnostics.SoftnetSnapshot.Cpus"/>.
/// </summary>
public sealed class CpuView
{
    private readonly SoftnetData _cpu;

    internal CpuView(SoftnetData cpu) => _cpu = cpu;

    /// <summary>The logical CPU index (softnet_stat's CPU column).</summary>
    public int Cpu => _cpu.Cpu;

    /// <summary>The OS CPU this CPU's threads are pinned to.</summary>
    public int OsCpu => _cpu.OsCpu;

    /// <summary>Whether the CPU is online; an offline CPU's backlog packets go to a stand-in CPU.</summary>
    public bool Online => _cpu.Online;

    /// <summary>This CPU's overload state, transitions, time in each state, signals and CPU share, as of the detector's last evaluation.</summary>
    public OverloadInfo Overload => _cpu.Overload;

    /// <summary>The live scheduling policy of <c>ksoftirqd/N</c>.</summary>
    public ThreadPolicy? SoftirqPolicy => ThreadPolicy.Read(_cpu.Ksoftirqd.Handle?.OsThreadId ?? 0);

    /// <summary>The live scheduling policy of <c>backlog_napi/N</c>; null without backlog threads.</summary>
    public ThreadPolicy? BacklogThreadPolicy => ThreadPolicy.Read(_cpu.BacklogThread?.Handle.OsThreadId ?? 0);
}
