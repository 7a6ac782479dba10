using System.Runtime.InteropServices;

namespace Softnet.Interop;

internal static unsafe partial class Libc
{
    private const long SysFutexX64 = 202;
    private const long SysFutexArm64 = 98;
    private const int FutexWaitPrivate = 0 | 128;
    private const int FutexWakePrivate = 1 | 128;

    private static readonly long SysFutex =
        RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? SysFutexArm64 : SysFutexX64;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall6(long number, int* uaddr, int op, int val, Timespec* timeout, nint uaddr2, int val3);

    /// <summary>Sleeps while <c>*word == expected</c>; returns 0, or -errno (EAGAIN, ETIMEDOUT, EINTR).</summary>
    internal static int FutexWait(int* word, int expected, long timeoutNs)
    {
        Timespec ts;
        Timespec* pts = null;
        if (timeoutNs >= 0)
        {
            ts.Seconds = timeoutNs / 1_000_000_000;
            ts.Nanoseconds = timeoutNs % 1_000_000_000;
            pts = &ts;
        }
        long r = Syscall6(SysFutex, word, FutexWaitPrivate, expected, pts, 0, 0);
        return r == 0 ? 0 : -Marshal.GetLastPInvokeError();
    }

    internal static int FutexWake(int* word, int count) =>
        (int)Syscall6(SysFutex, word, FutexWakePrivate, count, null, 0, 0);

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
