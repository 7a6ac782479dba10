using System.Globalization;
using Softnet.Admin.Contract;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Report;
using Softnet.Diagnostics;

namespace Softnet.Cli.Admin;

/// <summary><c>softnet cpu list|online N|offline N</c>: the stack's logical CPUs and their hotplug.</summary>
internal static class CpuVerb
{
    public static VerbCommand Create(AdminVerb verb)
    {
        var stdout = verb.Stdout;
        var json = Knob.Flag("--json", "the CPUs as a JSON array");
        verb.Sub("list", "every CPU of the stack: online, processed, dropped, backlog", parse =>
        {
            bool asJson = parse.GetValue(json);
            return async client =>
            {
                var stats = await client.GetAsync("stats", AdminJsonContext.Default.StatsInfo);
                if (asJson)
                    stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(stats.Cpus, AdminJsonContext.Default.IReadOnlyListCpuStatsInfo));
                else
                    Write(stdout, stats.Cpus);
                return AdminExitCodes.Ok;
            };
        }, json);
        foreach (bool online in new[] { true, false })
        {
            var cpu = Knob.Number("N");
            verb.Sub(online ? "online" : "offline", online ? "bring CPU N back: its threads start, RPS and queues may use it" : "take CPU N out: its queued packets move to an online CPU", parse =>
            {
                long n = parse.GetValue(cpu);
                return async client =>
                {
                    var stat = await client.PostAsync($"cpu/{n}", new CpuSetRequest(online), AdminJsonContext.Default.CpuSetRequest, AdminJsonContext.Default.CpuStatsInfo);
                    stdout.WriteLine($"cpu {stat.Cpu}: {(stat.Online ? "online" : "offline")}");
                    return AdminExitCodes.Ok;
                };
            }, cpu);
        }
        return verb.Done();
    }

    private static void Write(TextWriter stdout, IEnumerable<CpuStatsInfo> cpus)
    {
        var columns = SoftnetCounters.Summary;
        var table = new TextTable(["cpu", "state", .. columns.Select(c => c.Name)]);
        foreach (var c in cpus)
            table.Add([N(c.Cpu), c.Online ? "online" : "offline", .. columns.Select(counter => N(c[counter.Name]))]);
        table.Write(stdout);
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
