namespace Softnet.Simulation;

/// <summary>The runner's command line: <c>--seeds N [--seed S] [--plant NAME] [--json]</c>.</summary>
internal sealed record RunnerOptions
{
    public static readonly string[] Plants = ["conditional-wakeup", "missed-ignored", "overload-leave-early"];

    /// <summary>The families; <c>overload</c> is never drawn by a plain seed and runs only when asked for.</summary>
    public static readonly string[] Families = ["napi", "loopback", "device", "hotplug-rps", "hotplug-irq", "overload"];

    /// <summary>Seeds to run, from <see cref="FirstSeed"/> on.</summary>
    public int Seeds { get; init; } = 100;

    public long FirstSeed { get; init; } = 1;

    /// <summary>True when one seed was asked for with --seed.</summary>
    public bool Single { get; init; }

    public string? Plant { get; init; }

    public bool Json { get; init; }

    /// <summary>Runs only seeds whose scenario is of this family (napi, loopback, device, hotplug-rps, hotplug-irq).</summary>
    public string? Family { get; init; }

    /// <summary>Print every protocol step of the seed (with --seed).</summary>
    public bool StepLog { get; init; }

    public static RunnerOptions Parse(string[] args)
    {
        var o = new RunnerOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            switch (arg)
            {
                case "--seeds":
                    o = o with { Seeds = (int)ParseRange(arg, Value(), 1, 10_000_000) };
                    break;
                case "--seed":
                    o = o with { FirstSeed = ParseRange(arg, Value(), 0, uint.MaxValue), Seeds = 1, Single = true };
                    break;
                case "--first-seed":
                    o = o with { FirstSeed = ParseRange(arg, Value(), 0, uint.MaxValue) };
                    break;
                case "--plant":
                    string plant = Value();
                    if (!Plants.Contains(plant))
                        throw new ArgumentException($"--plant must be one of {string.Join(", ", Plants)} (got '{plant}')");
                    o = o with { Plant = plant };
                    break;
                case "--family":
                    string family = Value();
                    if (!Families.Contains(family))
                        throw new ArgumentException($"--family must be one of {string.Join(", ", Families)} (got '{family}')");
                    o = o with { Family = family };
                    break;
                case "--steps":
                    o = o with { StepLog = true };
                    break;
                case "--json":
                    o = o with { Json = true };
                    break;
                default:
                    throw new ArgumentException($"unknown option '{arg}'; usage: --seeds N [--seed S] [--first-seed S] [--plant {string.Join("|", Plants)}] [--family NAME] [--json] [--steps]");
            }
        }
        if (o.Single)
            o = o with { Seeds = 1 };
        return o;
    }

    private static long ParseRange(string option, string text, long min, long max)
    {
        if (!long.TryParse(text, out long value) || value < min || value > max)
            throw new ArgumentOutOfRangeException(option, $"{option} must be a whole number between {min} and {max} (got '{text}')");
        return value;
    }
}
