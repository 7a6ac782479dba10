using System.Runtime.InteropServices;

namespace Softnet.Interop;

internal static unsafe partial class Libc
{
    /// <summary>Affinity masks up to 1024 CPUs, the size of glibc's cpu_set_t.</summary>
    internal const int CpuSetBytes = 128;

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    internal static partial int SchedSetAffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    internal static partial int SchedGetAffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc", EntryPoint = "sched_getcpu")]
    internal static partial int SchedGetCpu();

    internal const int SCHED_OTHER = 0;
    internal const int SCHED_FIFO = 1;
    internal const int SCHED_RR = 2;

    /// <summary>OR'ed into a policy: threads the caller creates start as SCHED_OTHER instead of inheriting it.</summary>
    internal const int SCHED_RESET_ON_FORK = 0x40000000;

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    internal static partial int SchedSetScheduler(int pid, int policy, SchedParam* param);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler", SetLastError = true)]
    internal static partial int SchedGetScheduler(int pid);

    [LibraryImport("libc", EntryPoint = "sched_getparam", SetLastError = true)]
    internal static partial int SchedGetParam(int pid, SchedParam* param);

    [LibraryImport("libc", EntryPoint = "gettid")]
    internal static partial int GetTid();

    /// <summary>struct sched_param: only the static priority (1..99 for the real-time policies, 0 otherwise).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SchedParam
    {
        public int Priority;
    }
}
