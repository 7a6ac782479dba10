using Softnet.Core;

namespace Softnet.Overload;

/// <summary>
/// A stack's overload settings and the per-queue detectors its CPUs tick: the detector's period, the CPU budget's share
/// and slice (in <see cref="OverloadMode.Auto"/>), the watermarks, and the log line written once per state change.
/// </summary>
internal sealed class OverloadControl
{
    private readonly NetStack _stack;
    private NapiOverload[] _napis = [];

    public OverloadControl(NetStack stack)
    {
        var o = stack.Options;
        _stack = stack;
        Mode = o.Overload;
        PeriodNs = (long)o.OverloadPeriod.TotalNanoseconds;
        ShareLimit = o.OverloadCpuShare / 100.0;
        SliceNs = (long)(o.EffectiveOverloadBudgetSlice?.TotalNanoseconds ?? 0);
        Thresholds = o.OverloadThresholds;
        StartNs = stack.Platform.NowNs();
    }

    public OverloadMode Mode { get; }

    public long PeriodNs { get; }

    /// <summary>The CPU share the packet threads may use, as a fraction; the CPU-share signal is measured against it in both modes.</summary>
    public double ShareLimit { get; }

    /// <summary>The CPU budget's slice: <see cref="ShareLimit"/> of every slice is the packet threads' runtime (in <see cref="OverloadMode.Auto"/>); 0 for no budget.</summary>
    public long SliceNs { get; }

    public OverloadThresholds Thresholds { get; }

    public long StartNs { get; }

    /// <summary>The device queues' detectors, in the order they were registered (when a queue starts, or at its first poll).</summary>
    public NapiOverload[] Napis => Volatile.Read(ref _napis);

    public NapiOverload Register(Napi napi)
    {
        lock (this)
        {
            foreach (var existing in _napis)
            {
                if (existing.Napi == napi)
                    return existing;
            }
            var created = new NapiOverload(napi, this, _stack.Platform.NowNs());
            Volatile.Write(ref _napis, [.. _napis, created]);
            return created;
        }
    }

    /// <summary>
    /// The log line of every transition of one detector, made up front: transitions happen on packet threads, which
    /// allocate nothing. The signals behind a transition are in the admin API and the metrics.
    /// </summary>
    public static string[] TransitionMessages(string who)
    {
        var messages = new string[OverloadStates.Count * OverloadStates.Count];
        for (int from = 0; from < OverloadStates.Count; from++)
        {
            for (int to = 0; to < OverloadStates.Count; to++)
                messages[(from * OverloadStates.Count) + to] = $"overload: {who}: {((OverloadState)from).Name()} -> {((OverloadState)to).Name()}";
        }
        return messages;
    }

    /// <summary>
    /// Logs a transition of a detector whose state a policy acts on (<paramref name="acts"/>): a CPU under the budget, a
    /// queue the budget stops. Under <c>off</c> the detectors still change state — the admin API, the metrics and
    /// <see cref="OverloadInfo.LastTransitionNs"/> show it — but nothing acts, so nothing is logged.
    /// </summary>
    public void LogTransition(string[] messages, OverloadState from, OverloadState to, bool acts)
    {
        if (acts)
            _stack.Log(messages[((int)from * OverloadStates.Count) + (int)to]);
    }
}
