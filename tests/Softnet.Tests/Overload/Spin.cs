using System.Diagnostics;

namespace Softnet.Tests.Overload;

/// <summary>A handler's synthetic per-datagram cost: busy for a fixed time, as real work would be.</summary>
internal static class Spin
{
    public static void For(TimeSpan duration)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
            Thread.SpinWait(8);
    }
}
