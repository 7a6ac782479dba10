using Softnet.Admin.Contract;
using Softnet.Core;
using Softnet.Overload;

namespace Softnet.Admin.Endpoints;

/// <summary>The overload detector's view as the admin API's <c>overload</c> attribute.</summary>
internal static class Overloads
{
    public static OverloadStatusInfo Describe(OverloadInfo o, bool cpu) => new(
        o.State.Name(),
        o.Transitions,
        Math.Round(o.Level, 3),
        o.NormalNs / 1e6,
        o.PressuredNs / 1e6,
        o.OverloadedNs / 1e6,
        Math.Round(o.CpuShare, 4),
        Math.Round(o.CpuShareMax, 4),
        Math.Round(o.CpuShareUsed, 4),
        cpu ? o.Throttled : null,
        new OverloadSignalsInfo(
            Math.Round(o.Signals.Backlog, 3),
            Math.Round(o.Signals.SocketFill, 3),
            Math.Round(o.Signals.Drops, 3),
            Math.Round(o.Signals.Squeeze, 3),
            Math.Round(o.Signals.CpuShare, 3)),
        o.LastTransitionNs,
        cpu ? o.PollAllocatedBytes : null);

    /// <summary>A device's view is its most loaded queue's: the highest state, then the highest level; null without queues.</summary>
    public static OverloadInfo? Device(NetDevice device)
    {
        OverloadInfo? worst = null;
        foreach (var napi in device.Napis)
        {
            var o = napi.Overload;
            if (worst is not { } w || o.State > w.State || (o.State == w.State && o.Level > w.Level))
                worst = o;
        }
        return worst;
    }
}
