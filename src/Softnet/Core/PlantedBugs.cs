#if SIMULATION
namespace Softnet.Core;

/// <summary>
/// Known protocol bugs the simulation build can switch back on, to prove its invariants catch them. They do not exist
/// in any other build.
/// </summary>
internal static class PlantedBugs
{
    /// <summary>
    /// The wake-up before it was made unconditional: SCHED_THREADED is set only when the NAPI's thread is not about to
    /// sleep, and a thread that was woken polls whether or not it sees the bit.
    /// </summary>
    public static bool ConditionalWakeup { get; set; }

    /// <summary>A schedule while the NAPI is owned does not set MISSED, so it does not force another poll.</summary>
    public static bool MissedIgnored { get; set; }

    /// <summary>The overload detector leaves a state as soon as the signal is under its low watermark, without the leave dwell.</summary>
    public static bool OverloadLeaveEarly { get; set; }
}
#endif
