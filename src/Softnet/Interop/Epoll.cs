using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Softnet.Interop;

/// <summary>epoll, eventfd and the plain read/write used to ring and drain an eventfd.</summary>
internal static unsafe partial class Libc
{
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x001;
    internal const uint EPOLLONESHOT = 1u << 30;
    internal const uint EPOLLET = 1u << 31;
    internal const int EFD_NONBLOCK = 0x800;
    internal const int EFD_CLOEXEC = 0x80000;

    /// <summary>The same number on x86-64 and on the generic table arm64 uses (added in Linux 5.11).</summary>
    private const long SysEpollPwait2 = 441;

    /// <summary>
    /// sizeof(struct epoll_event). The x86 ABIs pack it (data right after the 4-byte mask, 12 bytes); every other
    /// ABI aligns the 64-bit data (16 bytes). The layout is an ABI fact, not a choice, so it is computed, not declared.
    /// </summary>
    internal static readonly int EpollEventBytes =
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    private static readonly int EpollDataOffset = EpollEventBytes - sizeof(ulong);

    // Set once the kernel (or a seccomp profile) says ENOSYS, so the fallback costs one failed call per process, not per wait.
    private static volatile bool s_noEpollPwait2;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWaitMs(int epfd, byte* events, int maxEvents, int timeoutMs);

    // The raw syscall rather than glibc's wrapper: the wrapper exists only from glibc 2.35, the syscall from Linux 5.11.
    // Arguments are passed as longs because syscall(2) reads every argument as one.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallEpollPwait2(long number, long epfd, byte* events, long maxEvents, Timespec* timeout, void* sigmask, nuint sigsetSize);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, void* buffer, nuint count);

    /// <summary>
    /// Waits up to <paramref name="timeoutNs"/> (&lt; 0: forever) with nanosecond precision where the kernel has
    /// epoll_pwait2, else with epoll_wait's milliseconds rounded up so a short timeout never becomes a busy poll.
    /// Returns the number of events, or -errno.
    /// </summary>
    internal static int EpollWait(int epfd, byte* events, int maxEvents, long timeoutNs)
    {
        if (!s_noEpollPwait2)
        {
            Timespec ts;
            Timespec* pts = null;
            if (timeoutNs >= 0)
            {
                ts.Seconds = timeoutNs / 1_000_000_000;
                ts.Nanoseconds = timeoutNs % 1_000_000_000;
                pts = &ts;
            }
            long r = SyscallEpollPwait2(SysEpollPwait2, epfd, events, maxEvents, pts, null, 0);
            if (r >= 0)
                return (int)r;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.ENOSYS)
                return -errno;
            s_noEpollPwait2 = true;
        }
        int timeoutMs = timeoutNs < 0 ? -1 : (int)Math.Min((timeoutNs + 999_999) / 1_000_000, int.MaxValue);
        int n = EpollWaitMs(epfd, events, maxEvents, timeoutMs);
        return n >= 0 ? n : -Marshal.GetLastPInvokeError();
    }

    internal static void SetEpollEvent(byte* ev, uint events, ulong data)
    {
        *(uint*)ev = events;
        Unsafe.WriteUnaligned(ev + EpollDataOffset, data);
    }

    internal static ulong EpollEventData(byte* events, int index) =>
        Unsafe.ReadUnaligned<ulong>(events + (index * EpollEventBytes) + EpollDataOffset);
}
