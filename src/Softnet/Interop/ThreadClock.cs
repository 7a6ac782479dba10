using System.Runtime.InteropServices;

namespace Softnet.Interop;

/// <summary>clock_gettime(CLOCK_THREAD_CPUTIME_ID): the CPU time the calling thread has used, which a preemption does not add to.</summary>
internal static unsafe partial class ThreadClock
{
    private const int ClockThreadCputimeId = 3;

    /// <summary>The calling thread's CPU time in nanoseconds; -1 if the clock cannot be read.</summary>
    internal static long NowNs()
    {
        Libc.Timespec ts;
        return ClockGettime(ClockThreadCputimeId, &ts) == 0 ? (ts.Seconds * 1_000_000_000) + ts.Nanoseconds : -1;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGettime(int clock, Libc.Timespec* ts);
}
