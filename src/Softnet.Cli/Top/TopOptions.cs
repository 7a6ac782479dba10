using System.Globalization;
using Softnet.Cli.Options;

namespace Softnet.Cli.Top;

/// <summary><c>softnet top</c>'s own options (the server is chosen by the admin verbs' <c>--admin</c> options).</summary>
internal sealed record TopOptions(TimeSpan Interval, long? Count, TimeSpan? Duration, bool Plain)
{
    public const string Usage =
        "usage: softnet top [--interval SECONDS] [--count N | --seconds S] [--plain]\n"
        + "  a live per-second view of a running server: per CPU processed/s, dropped/s, squeezed/s, rps/s, flow_limit/s,\n"
        + "  backlog; per NAPI polls/s, packets/s, threaded mode and the polling thread's state. --count N or --seconds S\n"
        + "  stop it after N views or S seconds (default: until Ctrl+C); --plain (or stdout not a terminal) prints a\n"
        + "  table per interval instead of redrawing.";

    private const int MaxSeconds = 86_400;

    public static TopOptions Parse(IReadOnlyList<string> args)
    {
        var o = new TopOptions(TimeSpan.FromSeconds(1), null, null, false);
        var reader = new ArgReader(args);
        while (reader.Next(out string name))
        {
            o = name switch
            {
                "--interval" => o with { Interval = Seconds("--interval", reader.Value()) },
                "--count" => o with { Count = reader.Integer(1, long.MaxValue) },
                "--seconds" => o with { Duration = Seconds("--seconds", reader.Value()) },
                "--plain" => o with { Plain = true },
                _ => throw new UsageException($"unknown option {name}"),
            };
        }
        if (o.Count is not null && o.Duration is not null)
            throw new UsageException("--count and --seconds cannot be combined: give one bound");
        return o;
    }

    private static TimeSpan Seconds(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is > 0 and <= MaxSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"{option} must be a number of seconds above 0, at most {MaxSeconds} (got '{text}')");
}
