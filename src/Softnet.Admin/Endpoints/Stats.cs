using Softnet.Admin.Contract;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Admin.Endpoints;

/// <summary>A snapshot of the stack's counters as the <c>/stats</c> JSON.</summary>
internal static class Stats
{
    public static StatsInfo Describe(SoftnetSnapshot s) => new(
        s.Cpus.Select(c => new CpuStatsInfo(
            c.Cpu,
            c.Online,
            new OrderedDictionary<string, long>(SoftnetCounters.CpuRow.Select(counter => KeyValuePair.Create(counter.Name, counter.PerCpu!(c)))),
            Overloads.Describe(c.Overload, cpu: true))).ToArray(),
        s.Drops.ToDictionary(d => d.Key.Name(), d => d.Value),
        s.Processed,
        s.Delivered,
        s.Dropped,
        s.IpiSent,
        s.Wakeups,
        s.PoolGrowth,
        s.Napis.Select(n => new NapiStatsInfo(
            n.Id,
            n.IfName,
            new OrderedDictionary<string, long>(SoftnetCounters.NapiRow.Select(counter => KeyValuePair.Create(counter.Name, counter.PerNapi!(n)))),
            n.Threaded.Name(),
            n.ThreadId,
            ThreadStates.Of(n.ThreadId))).ToArray());
}
