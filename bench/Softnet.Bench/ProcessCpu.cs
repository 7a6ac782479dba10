using System.Diagnostics;

namespace Softnet.Bench;

/// <summary>
/// The whole process's CPU time (user + system, every thread, exited ones included), read before and after a
/// contender's load: the contenders run one at a time in this process, so the difference is that contender's
/// producers, consumers or stack threads, and the runtime's own threads beside them.
/// </summary>
internal static class ProcessCpu
{
    public static long Ns()
    {
        using var self = Process.GetCurrentProcess();
        return (long)self.TotalProcessorTime.TotalNanoseconds;
    }
}
