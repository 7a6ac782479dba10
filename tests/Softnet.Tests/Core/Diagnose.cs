using System.Text;
using Softnet.Core;

namespace Softnet.Tests.Core;

/// <summary>A one-line-per-CPU dump of a stack's state for failure messages.</summary>
internal static class Diagnose
{
    public static string Describe(NetStack stack)
    {
        var snap = stack.Snapshot();
        var sb = new StringBuilder();
        foreach (var c in snap.Cpus)
        {
            var sd = stack.Cpu(c.Cpu);
            sb.Append($"\n  cpu{c.Cpu}: processed {c.Processed} delivered {c.Delivered} dropped {c.Dropped} in {c.InputQueueLength} proc {c.ProcessQueueLength}"
                + $" backlog[{sd.Backlog.State}] polls {sd.Backlog.Polls} head {sd.Backlog.Head} pendingSoftirq {sd.HasPendingSoftirq}"
                + $" rps {c.ReceivedRps} ipi {c.IpiSent} wakeups {c.Wakeups} squeeze {c.TimeSqueeze}");
        }
        sb.Append($"\n  drops: {string.Join(", ", snap.Drops.Where(d => d.Value != 0).Select(d => $"{d.Key}={d.Value}"))}");
        return sb.ToString();
    }
}
