namespace Softnet.Core;

/// <summary>
/// now + delay without overflow: a delay near long.MaxValue would wrap to a deadline in the past, and a timer armed
/// with it would fire at once, forever. Saturates just below long.MaxValue, which stands for "no deadline".
/// </summary>
internal static class Deadline
{
    public const long Never = long.MaxValue - 1;

    public static long After(long nowNs, long delayNs) =>
        delayNs >= Never - nowNs ? Never : nowNs + delayNs;
}
