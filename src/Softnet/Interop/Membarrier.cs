using System.Runtime.InteropServices;

namespace Softnet.Interop;

/// <summary>membarrier(2), used for the one thing user space cannot otherwise ask for: an RCU grace period.</summary>
internal static partial class Membarrier
{
    /// <summary>MEMBARRIER_CMD_GLOBAL: the kernel runs synchronize_rcu() before returning (on more than one CPU).</summary>
    private const long CmdGlobal = 1;

    private static long SysMembarrier => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 ? 283 : 324;

    /// <summary>Returns 0, or errno (ENOSYS without the call, EINVAL with nohz_full CPUs).</summary>
    internal static int Global() =>
        Syscall(SysMembarrier, CmdGlobal, 0, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long command, long flags, long cpu);
}
