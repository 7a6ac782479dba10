namespace Softnet.Overload;

/// <summary>
/// A CPU's or a queue's overload view at one moment: state, transitions, time in each state, the last signals, and the
/// CPU share its polling used (last period, highest period, average since the stack started). <see cref="Throttled"/>
/// counts periods the CPU budget cut short (CPUs only).
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
    long Throttled)
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
