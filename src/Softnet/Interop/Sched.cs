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

    [LibraryImport("libc", EntryPoint = "gettid")]
    internal static partial int GetTid();
}
