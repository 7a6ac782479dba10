using System.Runtime.InteropServices;

namespace Softnet.Interop;

internal static unsafe partial class Libc
{
    /// <summary>sched_flags: threads the caller creates start with the default policy and slice.</summary>
    internal const ulong SCHED_FLAG_RESET_ON_FORK = 0x01;

    private static long SysSchedSetattr => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 274 : 314;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall3(long number, int pid, SchedAttr* attr, uint flags);

    /// <summary>sched_setattr(2) (glibc wraps it only from 2.41 on); 0 or -1 with errno.</summary>
    internal static int SchedSetattr(int pid, SchedAttr* attr) => (int)Syscall3(SysSchedSetattr, pid, attr, 0);

    /// <summary>struct sched_attr, SCHED_ATTR_SIZE_VER0. For SCHED_OTHER, sched_runtime is the EEVDF slice (Linux 6.12+).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SchedAttr
    {
        public uint Size;
        public uint SchedPolicy;
        public ulong SchedFlags;
        public int SchedNice;
        public uint SchedPriority;
        public ulong SchedRuntime;
        public ulong SchedDeadline;
        public ulong SchedPeriod;
    }
}
