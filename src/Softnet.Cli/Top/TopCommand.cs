using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Softnet.Cli.Admin;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Options;

namespace Softnet.Cli.Top;

/// <summary><c>softnet top</c>'s command: its options, the server options every admin verb takes, the exit codes.</summary>
internal static class TopCommand
{
    private const int MaxSeconds = 86_400;

    public static VerbCommand Create(TextWriter stdout, TextWriter stderr)
    {
        var verb = new AdminVerb("top", "live per-second view of a running server: per CPU and per NAPI rates", stdout, stderr);
        var interval = Seconds("--interval", "seconds between views");
        var count = Knob.OptionalInt64("--count", "N", 1, long.MaxValue, "stop after N views", "until Ctrl+C");
        var duration = Seconds("--seconds", "stop after S seconds");
        var plain = Knob.Flag("--plain", "print a table per interval instead of redrawing (also when stdout is not a terminal)");
        verb.Sub(null, "", parse =>
        {
            var options = new TopOptions(parse.GetValue(interval) ?? TimeSpan.FromSeconds(1), parse.GetValue(count), parse.GetValue(duration), parse.GetValue(plain));
            if (options.Count is not null && options.Duration is not null)
                throw new UsageException("--count and --seconds cannot be combined: give one bound");
            return client => Top.WatchAsync(client, options, stdout);
        }, interval, count, duration, plain);
        return verb.Done();
    }

    private static Option<TimeSpan?> Seconds(string name, string help) => new(name)
    {
        HelpName = "SECONDS",
        Arity = ArgumentArity.OneOrMore,
        Description = $"{help}, above 0, at most {MaxSeconds}",
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is > 0 and <= MaxSeconds)
                return TimeSpan.FromSeconds(seconds);
            result.AddError($"{name} must be a number of seconds above 0, at most {MaxSeconds} (got '{text}')");
            return null;
        },
    };
}
