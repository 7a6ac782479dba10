using System.Runtime.CompilerServices;
using Softnet.Steering;

namespace Softnet.Interop;

/// <summary>
/// The runtime binds a P/Invoke to its native function at the first call, and allocates doing so; a static
/// constructor allocates when it first runs. Left to the packet path, both would happen at the first packets, on
/// the threads being measured. So a stack, as it is made, calls every native function the packet path calls once,
/// each in a way that does nothing (an invalid descriptor, a no-op request), and runs the packet path's static
/// constructors.
/// </summary>
internal static unsafe class PacketPathBinding
{
    public static void Bind()
    {
        // Each call fails with EBADF or EINVAL, or only reads: the return values are of no interest.
        Libc.SchedGetScheduler(0);
        Libc.SchedGetCpu();
        Libc.GetTid();
        Libc.SchedSetScheduler(0, -1, null);
        Libc.SchedSetattr(0, null);
        ThreadClock.NowNs();
        int word = 0;
        Libc.FutexWake(&word, 0);
        Libc.EpollWait(-1, null, 1, 0);
        Libc.EpollCtl(-1, Libc.EPOLL_CTL_MOD, -1, null);
        Libc.Read(-1, null, 0);
        Libc.Write(-1, null, 0);
        Libc.RecvMmsg(-1, null, 0, 0, null);
        Libc.SendMmsg(-1, null, 0, 0);
        Libc.IoUringEnter(-1, 0, 0, 0);
        RuntimeHelpers.RunClassConstructor(typeof(FlowDissector).TypeHandle);
    }
}
