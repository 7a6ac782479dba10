using System.Runtime.InteropServices;

namespace Softnet.Load;

/// <summary>
/// A sleep of microseconds (clock_nanosleep), where <see cref="Thread.Sleep(int)"/> sleeps whole milliseconds. The
/// calling thread's timer slack is cut to 1 µs on first use (PR_SET_TIMERSLACK), so a 20 µs wait is not stretched by the
/// default 50 µs slack.
/// </summary>
internal static partial class ShortSleep
{
    private const int ClockMonotonic = 1;
    private const int PrSetTimerSlack = 29;
    private const int PrGetTimerSlack = 30;
    private const ulong SlackNs = 1_000;

    [ThreadStatic]
    private static bool t_slackSet;

    /// <summary>Sleeps about <paramref name="ns"/> nanoseconds; an interrupted sleep just returns early.</summary>
    public static unsafe void For(long ns)
    {
        if (!t_slackSet)
        {
            t_slackSet = true;
            _ = Prctl(PrSetTimerSlack, SlackNs, 0, 0, 0);
        }
        var ts = new Timespec { Seconds = ns / 1_000_000_000, Nanoseconds = ns % 1_000_000_000 };
        _ = ClockNanosleep(ClockMonotonic, 0, &ts, null);
    }

    /// <summary>
    /// Binds both native calls (the runtime allocates as it binds a P/Invoke at its first call) on the calling thread,
    /// changing nothing: a sender's first sleep then allocates nothing.
    /// </summary>
    public static unsafe void Bind()
    {
        var zero = default(Timespec);
        _ = ClockNanosleep(ClockMonotonic, 0, &zero, null);
        _ = Prctl(PrGetTimerSlack, 0, 0, 0, 0);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static unsafe partial int ClockNanosleep(int clock, int flags, Timespec* request, Timespec* remain);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
