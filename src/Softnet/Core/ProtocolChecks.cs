using System.Diagnostics;

namespace Softnet.Core;

/// <summary>
/// Check hooks at the protocol's critical steps: poll enter and exit, SCHED release, poll-list insertion and removal,
/// packet rent and free, CPU hand-over. They exist only in the simulation build: elsewhere the compiler removes every
/// call together with its arguments, so the release engine runs exactly the code it would without them.
/// </summary>
internal static class ProtocolChecks
{
    /// <summary>Who checks the events; set by the simulation for the run in progress.</summary>
    public static IProtocolObserver? Observer { get; set; }

    [Conditional("SIMULATION")]
    public static void PollEnter(Napi napi, SoftnetData? cpu) => Observer?.PollEnter(napi, cpu);

    [Conditional("SIMULATION")]
    public static void PollExit(Napi napi) => Observer?.PollExit(napi);

    [Conditional("SIMULATION")]
    public static void Released(Napi napi) => Observer?.Released(napi);

    [Conditional("SIMULATION")]
    public static void Listing(SoftnetData cpu, Napi napi) => Observer?.Listing(cpu, napi);

    [Conditional("SIMULATION")]
    public static void Unlisted(Napi napi) => Observer?.Unlisted(napi);

    [Conditional("SIMULATION")]
    public static void Rented(ReadOnlySpan<Packet> packets) => Observer?.Rented(packets);

    [Conditional("SIMULATION")]
    public static void Freed(ReadOnlySpan<Packet> packets) => Observer?.Freed(packets);

    [Conditional("SIMULATION")]
    public static void HandedOver(SoftnetData dead, SoftnetData to) => Observer?.HandedOver(dead, to);

    [Conditional("SIMULATION")]
    public static void TookBack(SoftnetData back, SoftnetData from) => Observer?.TookBack(back, from);

    [Conditional("SIMULATION")]
    public static void OverloadUpdated(Overload.OverloadDetector detector, Overload.OverloadThresholds thresholds, double level, long nowNs, Overload.OverloadState from, Overload.OverloadState to) =>
        Observer?.OverloadUpdated(detector, thresholds, level, nowNs, from, to);
}
