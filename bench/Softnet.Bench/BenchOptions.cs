using System.CommandLine;

namespace Softnet.Bench;

/// <summary>The <c>loopback</c> comparison's settings, parsed with System.CommandLine like the softnet command's.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: Softnet.Bench loopback [options]

        Compares Softnet (softirq and backlog-threads modes) with a System.Threading.Channels baseline under the
        same producer load, alternating in rounds, and prints a markdown table of medians.

          --seconds N      load per measurement, 1..600 (default 5)
          --rounds N       rounds, each measuring every contender once, 1..50 (default 3)
          --producers N    producer threads, 1..256 (default 2)
          --cpus N         stack CPUs / channels with one consumer each, 1..256 (default 2)
          --flows N        flows over all producers, --producers..65536 (default 1024)
          --rate PPS       packets/s offered over all producers, 0 = as fast as possible (default 0)
          --warmup N       seconds per contender before the rounds, not reported, 0..60 (default 1)
          --consumer FORM  the baseline's consumer: readall (default: the fastest form measured here),
                           wait-tryread, dedicated-thread, or all (every form as its own contender)
          --runs PATH      also write every measured run as a JSON line (round, contender, figures) to PATH
          --threads        also print where each run's CPU time went, per thread name (CPU per packet, voluntary
                           and involuntary context switches per second)
        """;

    public int Seconds { get; init; } = 5;

    public int Rounds { get; init; } = 3;

    public int Producers { get; init; } = 2;

    public int Cpus { get; init; } = 2;

    public int Flows { get; init; } = 1024;

    /// <summary>Packets per second over all producers, paced the same way on both sides; 0 = as fast as possible.</summary>
    public long Rate { get; init; }

    public int Warmup { get; init; } = 1;

    /// <summary>The baseline consumer forms to measure; ReadAllAsync measured fastest on the reference machine (bench/RESULTS.md).</summary>
    public IReadOnlyList<ConsumerForm> Consumers { get; init; } = [ConsumerForm.ReadAll];

    /// <summary>Where to write one JSON line per measured run; null: nowhere.</summary>
    public string? RunsPath { get; init; }

    /// <summary>Print each run's CPU time and context switches per thread name (<see cref="ThreadCpu"/>).</summary>
    public bool Threads { get; init; }

    /// <summary>The most flows the load's flow table takes (as <c>softnet run --flows</c>).</summary>
    public const int MaxFlows = 65536;

    /// <summary>Parses the <c>loopback</c> benchmark's arguments; a bad one throws <see cref="BenchUsageException"/> naming it and its range.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var seconds = Int("--seconds", 1, 600, 5);
        var rounds = Int("--rounds", 1, 50, 3);
        var producers = Int("--producers", 1, 256, 2);
        var cpus = Int("--cpus", 1, 256, 2);
        var flows = Int("--flows", 1, MaxFlows, 1024);
        var rate = Int("--rate", 0, 1_000_000_000, 0);
        var warmup = Int("--warmup", 0, 60, 1);
        string[] forms = [.. ConsumerForms.Names, "all"];
        var consumer = new Option<string>("--consumer")
        {
            DefaultValueFactory = _ => "readall",
            CustomParser = r => Array.IndexOf(forms, r.Tokens[^1].Value) >= 0 ? r.Tokens[^1].Value : Fail(r, $"--consumer must be one of {string.Join(", ", forms)} (got '{r.Tokens[^1].Value}')", "readall"),
        };
        var runs = new Option<string?>("--runs");
        var threads = new Option<bool>("--threads");
        var command = new RootCommand { seconds, rounds, producers, cpus, flows, rate, warmup, consumer, runs, threads };
        var parse = command.Parse(args);
        if (parse.Errors.Count > 0)
            throw new BenchUsageException(parse.Errors[0].Message);
        var o = new BenchOptions
        {
            Seconds = (int)parse.GetValue(seconds),
            Rounds = (int)parse.GetValue(rounds),
            Producers = (int)parse.GetValue(producers),
            Cpus = (int)parse.GetValue(cpus),
            Flows = (int)parse.GetValue(flows),
            Rate = parse.GetValue(rate),
            Warmup = (int)parse.GetValue(warmup),
            Consumers = ConsumerForms.Parse(parse.GetValue(consumer)!),
            RunsPath = parse.GetValue(runs),
            Threads = parse.GetValue(threads),
        };
        if (o.Flows < o.Producers)
            throw new BenchUsageException($"--flows must be between {o.Producers} (one per producer) and {MaxFlows} (got {o.Flows})");
        return o;
    }

    private static Option<long> Int(string name, long min, long max, long defaultValue) => new(name)
    {
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => r.Tokens.Count > 0 && long.TryParse(r.Tokens[^1].Value, System.Globalization.CultureInfo.InvariantCulture, out long v) && v >= min && v <= max
            ? v
            : Fail(r, $"{name} must be an integer between {min} and {max} (got '{(r.Tokens.Count > 0 ? r.Tokens[^1].Value : "")}')", defaultValue),
    };

    private static T Fail<T>(System.CommandLine.Parsing.ArgumentResult result, string message, T value)
    {
        result.AddError(message);
        return value;
    }
}
