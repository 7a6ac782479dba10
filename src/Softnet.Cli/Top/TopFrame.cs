using System.Globalization;
using Softnet.Admin.Contract;
using Softnet.Diagnostics;

namespace Softnet.Cli.Top;

/// <summary>
/// One view of <c>softnet top</c>: the change between two <c>/stats</c> answers as rates per second (levels, such as
/// the backlog, as they are now), a row per CPU online at both and per NAPI present at both. The columns come from
/// the counter table: <see cref="SoftnetCounters.Summary"/> per CPU, <see cref="SoftnetCounters.NapiRow"/> per NAPI.
/// </summary>
internal sealed record TopFrame(string[] CpuHeadings, IReadOnlyList<string[]> Cpus, string[] NapiHeadings, IReadOnlyList<string[]> Napis)
{
    public static TopFrame Between(StatsInfo before, StatsInfo after, double seconds)
    {
        var cpuCounters = SoftnetCounters.Summary;
        var cpus = new List<string[]>();
        foreach (var now in after.Cpus.Where(c => c.Online))
        {
            if (before.Cpus.FirstOrDefault(c => c.Cpu == now.Cpu && c.Online) is not { } then)
                continue;
            cpus.Add([
                Text(now.Cpu),
                .. cpuCounters.Select(c => c.Kind == CounterKind.Counter ? Rate(now[c.Name] - then[c.Name], seconds) : Text(now[c.Name])),
            ]);
        }
        var napiCounters = SoftnetCounters.NapiRow;
        var napis = new List<string[]>();
        foreach (var now in after.Napis ?? [])
        {
            if ((before.Napis ?? []).FirstOrDefault(n => n.Id == now.Id) is not { } then)
                continue;
            napis.Add([
                Text(now.Id),
                now.IfName,
                .. napiCounters.Select(c => Rate(now[c.Name] - then[c.Name], seconds)),
                now.Threaded,
                now.ThreadState ?? "-",
            ]);
        }
        return new TopFrame(
            ["cpu", .. cpuCounters.Select(c => c.WatchHeading!)],
            cpus,
            ["napi", "ifname", .. napiCounters.Select(c => c.Name + "/s"), "threaded", "thread"],
            napis);
    }

    private static string Rate(long delta, double seconds) => Text((long)Math.Round(delta / seconds));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
