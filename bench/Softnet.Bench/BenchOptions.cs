using Softnet.Cli.Options;

namespace Softnet.Bench;

/// <summary>The <c>loopback</c> comparison's settings; parsed by hand like the softnet command's.</summary>
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

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        var reader = new ArgReader(args);
        while (reader.Next(out string name))
        {
            o = name switch
            {
                "--seconds" => o with { Seconds = reader.Int32(1, 600) },
                "--rounds" => o with { Rounds = reader.Int32(1, 50) },
                "--producers" => o with { Producers = reader.Int32(1, 256) },
                "--cpus" => o with { Cpus = reader.Int32(1, 256) },
                "--flows" => o with { Flows = reader.Int32(1, RunOptions.MaxFlows) },
                "--rate" => o with { Rate = reader.Integer(0, 1_000_000_000) },
                "--warmup" => o with { Warmup = reader.Int32(0, 60) },
                "--consumer" => o with { Consumers = ConsumerForms.Parse(reader.OneOf([.. ConsumerForms.Names, "all"])) },
                _ => throw new UsageException($"unknown option '{name}' for loopback"),
            };
        }
        if (o.Flows < o.Producers)
            throw new UsageException($"--flows must be between {o.Producers} (one per producer) and {RunOptions.MaxFlows} (got {o.Flows})");
        return o;
    }
}
