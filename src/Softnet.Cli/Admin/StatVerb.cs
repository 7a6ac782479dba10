using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Softnet.Admin.Contract;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Options;
using Softnet.Cli.Report;
using Softnet.Diagnostics;

namespace Softnet.Cli.Admin;

/// <summary>
/// <c>softnet stat</c>: the softnet_stat text, or with <c>--json</c> the counters as JSON. With <c>--watch</c>, a table per interval of per-CPU rates — what
/// people otherwise compute by diffing <c>/proc/net/softnet_stat</c> by hand.
/// </summary>
internal static class StatVerb
{
    private const int MaxIntervalSeconds = 86_400;

    public static VerbCommand Create(AdminVerb verb)
    {
        var stdout = verb.Stdout;
        var json = Knob.Flag("--json", "the server's counters as JSON (totals, drops by reason, per CPU) instead of the softnet_stat text");
        var watch = Knob.Flag("--watch", "print a table of per-CPU rates every interval");
        var interval = new Option<TimeSpan?>("--interval")
        {
            HelpName = "SECONDS",
            Arity = ArgumentArity.OneOrMore,
            Description = $"with --watch: seconds between tables, above 0, at most {MaxIntervalSeconds} (default 1)",
            CustomParser = result => Seconds(result),
        };
        var count = Knob.OptionalInt64("--count", "N", 1, long.MaxValue, "with --watch: tables to print", "until interrupted");
        verb.Sub(null, "", parse =>
        {
            var every = parse.GetValue(interval);
            long? times = parse.GetValue(count);
            bool asJson = parse.GetValue(json);
            if (!parse.GetValue(watch))
            {
                if (every is not null || times is not null)
                    throw new UsageException("--interval and --count go with --watch");
                return async client =>
                {
                    stdout.Write(asJson ? await client.GetTextAsync("stats") + Environment.NewLine : await client.GetTextAsync("softnet_stat"));
                    return AdminExitCodes.Ok;
                };
            }
            if (asJson)
                throw new UsageException("--json does not go with --watch");
            return client => Watch(client, every ?? TimeSpan.FromSeconds(1), times, stdout);
        }, json, watch, interval, count);
        return verb.Done();
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

    private static TimeSpan? Seconds(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is > 0 and <= MaxIntervalSeconds)
            return TimeSpan.FromSeconds(seconds);
        result.AddError($"--interval must be a number of seconds above 0, at most {MaxIntervalSeconds} (got '{text}')");
        return null;
    }

    private static string Rate(long delta, double seconds) => Text((long)Math.Round(delta / seconds));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
