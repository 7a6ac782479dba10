using System.Diagnostics;
using System.Globalization;
using Softnet.Admin.Contract;
using Softnet.Cli.Options;
using Softnet.Diagnostics;

namespace Softnet.Cli.Admin;

/// <summary>
/// <c>softnet stat</c>: the softnet_stat text. With <c>--watch</c>, a table per interval of per-CPU rates — what
/// people otherwise compute by diffing <c>/proc/net/softnet_stat</c> by hand.
/// </summary>
internal static class StatVerb
{
    public const string Usage = "usage: softnet stat [--watch [--interval SECONDS] [--count N]]";

    private const int MaxIntervalSeconds = 86_400;

    public static async Task<int> RunAsync(AdminClient client, VerbLine line, TextWriter stdout)
    {
        line.ExpectWords(0);
        bool watch = false;
        TimeSpan? interval = null;
        long? count = null;
        while (line.Options.Next(out string name))
        {
            switch (name)
            {
                case "--watch":
                    watch = true;
                    break;
                case "--interval":
                    interval = Seconds(line.Options.Value());
                    break;
                case "--count":
                    count = line.Options.Integer(1, long.MaxValue);
                    break;
                default:
                    throw VerbLine.UnknownOption(name);
            }
        }
        if (!watch)
        {
            if (interval is not null || count is not null)
                throw new UsageException("--interval and --count go with --watch");
            stdout.Write(await client.GetTextAsync("softnet_stat"));
            return AdminExitCodes.Ok;
        }
        return await Watch(client, interval ?? TimeSpan.FromSeconds(1), count, stdout);
    }

    /// <summary>Prints a table of rates every <paramref name="interval"/>, <paramref name="count"/> times or until killed.</summary>
    private static async Task<int> Watch(AdminClient client, TimeSpan interval, long? count, TextWriter stdout)
    {
        var previous = await client.GetAsync("stats", AdminJsonContext.Default.StatsInfo);
        var clock = Stopwatch.StartNew();
        for (long printed = 0; count is null || printed < count; printed++)
        {
            await Task.Delay(interval);
            var current = await client.GetAsync("stats", AdminJsonContext.Default.StatsInfo);
            double seconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            if (printed > 0)
                stdout.WriteLine();
            WriteRates(stdout, previous, current, seconds);
            await stdout.FlushAsync();
            previous = current;
        }
        return AdminExitCodes.Ok;
    }

    /// <summary>Rates for the CPUs online at both samples, a column per counter of the summaries; gauges are the current level, not a rate.</summary>
    private static void WriteRates(TextWriter stdout, StatsInfo before, StatsInfo after, double seconds)
    {
        var columns = SoftnetCounters.Summary;
        var table = new TextTable(["cpu", .. columns.Select(c => c.WatchHeading!)]);
        foreach (var now in after.Cpus.Where(c => c.Online))
        {
            if (before.Cpus.FirstOrDefault(c => c.Cpu == now.Cpu && c.Online) is not { } then)
                continue;
            table.Add([
                Text(now.Cpu),
                .. columns.Select(c => c.Kind == CounterKind.Counter ? Rate(now[c.Name] - then[c.Name], seconds) : Text(now[c.Name])),
            ]);
        }
        table.Write(stdout);
    }

    private static TimeSpan Seconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is > 0 and <= MaxIntervalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"--interval must be a number of seconds above 0, at most {MaxIntervalSeconds} (got '{text}')");

    private static string Rate(long delta, double seconds) => Text((long)Math.Round(delta / seconds));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
