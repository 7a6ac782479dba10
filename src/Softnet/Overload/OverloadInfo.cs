namespace Softnet.Overload;

/// <summary>
/// A CPU's or a queue's overload view at one moment: state, transitions, time in each state, the last signals, and the
/// CPU share its polling used (last period, highest period, average since the stack started). <see cref="Throttled"/>
/// counts budget slices the CPU budget cut short (CPUs only). <see cref="LastTransitionNs"/> is when the state last
/// changed, on the stack's clock (CLOCK_MONOTONIC, in nanoseconds; 0 before the first change), so a client can tell
/// exactly when an overload was detected or left however often it asks. <see cref="PollAllocatedBytes"/> (CPUs only)
/// is what the polls run for the CPU allocated on their threads, handlers included: divided by the packets
/// processed, the allocation per packet.
/// </summary>
public readonly record struct OverloadInfo(
    OverloadState State,
    long Transitions,
    long NormalNs,
    long PressuredNs,
    long OverloadedNs,
    OverloadSignals Signals,
    double CpuShare,
    double CpuShareMax,
    double CpuShareUsed,
    long Throttled,
    long LastTransitionNs = 0,
    long PollAllocatedBytes = 0)
{
    /// <summary>The overall overload level of the last signals (0 = idle, 1 = at capacity): the highest of them.</summary>
    public double Level => Signals.Level;

    /// <summary>Time spent in <paramref name="state"/>, in nanoseconds.</summary>
    public long TimeInStateNs(OverloadState state) => state switch
    {
        OverloadState.Normal => NormalNs,
        OverloadState.Pressured => PressuredNs,
        _ => OverloadedNs,
    };
}
