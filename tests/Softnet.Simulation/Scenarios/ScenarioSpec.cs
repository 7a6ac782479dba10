using Softnet.Core;

namespace Softnet.Simulation.Scenarios;

/// <summary>
/// Everything a seed decides before the run starts: the shape, the stack's knobs (tiny limits included), the load and
/// the faults. When each fault strikes, and every interleaving, is left to the seeded scheduler.
/// </summary>
internal sealed record ScenarioSpec
{
    public required long Seed { get; init; }

    /// <summary>The family the seed drew, e.g. <c>hotplug-rps</c>.</summary>
    public required string Family { get; init; }

    public required ScenarioKind Kind { get; init; }

    public int Cpus { get; init; } = 2;

    public KickMode Mode { get; init; }

    public string Rps { get; init; } = "";

    public int NetdevMaxBacklog { get; init; } = 1000;

    public int NetdevBudget { get; init; } = 300;

    public int NetdevBudgetUsecs { get; init; } = 2000;

    public int DevWeight { get; init; } = 64;

    public int SkbDeferMax { get; init; } = 64;

    public int PoolSize { get; init; } = 256;

    public int PoolLimit { get; init; } = 4096;

    public int Producers { get; init; } = 2;

    public int FlowsPerProducer { get; init; } = 2;

    public int PacketsPerProducer { get; init; } = 24;

    public int Batch { get; init; } = 4;

    public int Queues { get; init; } = 2;

    public int MaxChannels { get; init; } = 2;

    public int Weight { get; init; } = 8;

    /// <summary>The handler throws for batches holding every n-th packet of a flow (0: never).</summary>
    public int HandlerThrowEvery { get; init; }

    /// <summary>The work NAPI starts threaded in this mode (napi scenarios).</summary>
    public ThreadedMode InitialThreaded { get; init; }

    public IReadOnlyList<Fault> Faults { get; init; } = [];

    /// <summary>The stack's overload policy; the overload family runs <c>auto</c> with a short period and dwells.</summary>
    public Overload.OverloadMode Overload { get; init; }

    /// <summary>Load levels fed to a stand-alone overload detector before the stack runs, each after its time step.</summary>
    public IReadOnlyList<(long StepNs, double Level)> Levels { get; init; } = [];

    /// <summary>Whether per-flow order is an invariant (channel changes may reorder, as an RSS change does).</summary>
    public bool CheckOrder => !Faults.Any(f => f.Kind == FaultKind.Channels);

    public string Describe() => Kind switch
    {
        ScenarioKind.Napi => $"{Family}: work NAPI, {Producers} schedulers x {PacketsPerProducer}, cpus {Cpus}, weight {Weight}, starts {InitialThreaded.Name()}",
        _ => $"{Family}: {Kind.ToString().ToLowerInvariant()} {Mode.Name()}, cpus {Cpus}, rps '{Rps}'"
            + (Overload == Softnet.Overload.OverloadMode.Auto ? $", overload auto, {Levels.Count} detector levels" : "")
            + (Kind == ScenarioKind.Device ? $", queues {Queues}/{MaxChannels} weight {Weight}" : $", batch {Batch}")
            + $", {Producers} senders x {FlowsPerProducer} flows x {PacketsPerProducer} packets, backlog {NetdevMaxBacklog}, budget {NetdevBudget}/{NetdevBudgetUsecs}us, dev_weight {DevWeight}, defer_max {SkbDeferMax}, pool {PoolSize}/{PoolLimit}"
            + (HandlerThrowEvery > 0 ? $", handler throws every {HandlerThrowEvery}" : ""),
    };

    public string DescribeFaults() => Faults.Count == 0 ? "none" : string.Join(", ", Faults);

    /// <summary>The scenario of <paramref name="seed"/>: the same seed always gives the same scenario.</summary>
    public static ScenarioSpec FromSeed(long seed)
    {
        var r = new Random(unchecked((int)(seed * 0x9E3779B1L) ^ (int)(seed >> 32)));
        int family = r.Next(100);
        return family switch
        {
            < 20 => NapiScenario(seed, r),
            < 40 => Loopback(seed, r),
            < 65 => Device(seed, r),
            < 85 => HotplugRps(seed, r),
            _ => HotplugIrq(seed, r),
        };
    }

    /// <summary>
    /// The overload family (run with <c>--family overload</c>; plain seeds never draw it, so their scenarios stay as
    /// they were): a device scenario under policy auto, whose CPU budget and detectors run in simulated time, after a
    /// stand-alone detector has been fed a seeded level sequence — steady, hovering about a watermark, and spikes
    /// shorter and longer than the dwells.
    /// </summary>
    public static ScenarioSpec ForOverload(long seed)
    {
        var r = new Random(unchecked((int)(seed * 0x9E3779B1L) ^ (int)(seed >> 32)));
        var levels = new List<(long, double)>();
        for (int phase = r.Next(4, 12); phase > 0; phase--)
        {
            int kind = r.Next(4);
            double mark = r.Next(4) switch { 0 => 0.25, 1 => 0.5, 2 => 0.75, _ => 0.5 };
            bool high = true;
            for (int i = r.Next(5, 40); i > 0; i--)
            {
                double level = kind switch
                {
                    0 => 1.2,
                    1 => 0.05,
                    2 => mark + ((r.NextDouble() - 0.5) * 0.1),
                    _ => (high = !high) ? 1.0 : 0.0,
                };
                levels.Add((r.Next(100, 3_000) * 1000L, level));
            }
        }
        return Device(seed, r) with { Family = "overload", Overload = Softnet.Overload.OverloadMode.Auto, Levels = levels };
    }

    private static ScenarioSpec NapiScenario(long seed, Random r)
    {
        var faults = new List<Fault>();
        int n = r.Next(0, 4);
        for (int i = 0; i < n; i++)
        {
            faults.Add(r.Next(3) switch
            {
                0 => new Fault(FaultKind.DisableEnable),
                1 => new Fault(FaultKind.NapiThreaded, 0, r.Next(3)),
                _ => new Fault(FaultKind.PollThrow, 0, 0),
            });
        }
        return new ScenarioSpec
        {
            Seed = seed,
            Family = "napi",
            Kind = ScenarioKind.Napi,
            Cpus = r.Next(2, 4),
            Producers = r.Next(2, 4),
            PacketsPerProducer = r.Next(3, 10),
            Weight = r.Next(2, 6),
            InitialThreaded = (ThreadedMode)r.Next(3) == ThreadedMode.BusyPoll ? ThreadedMode.Disabled : (ThreadedMode)r.Next(2),
            Faults = faults,
        };
    }

    private static ScenarioSpec Loopback(long seed, Random r)
    {
        int cpus = r.Next(2, 4);
        var faults = new List<Fault>();
        if (r.Next(2) == 0)
            AddHotplug(faults, r, cpus, r.Next(1, 3));
        if (r.Next(4) == 0)
            faults.Add(new Fault(FaultKind.ClockJump, r.Next(1, 5000)));
        return Common(seed, r, cpus) with
        {
            Family = "loopback",
            Kind = ScenarioKind.Loopback,
            Mode = (KickMode)r.Next(2),
            Rps = r.Next(3) switch { 0 => "", 1 => "all", _ => "1" },
            Faults = Shuffle(faults, r),
        };
    }

    private static ScenarioSpec Device(long seed, Random r)
    {
        int cpus = r.Next(2, 4);
        int max = r.Next(2, 4);
        var faults = new List<Fault>();
        int n = r.Next(1, 5);
        for (int i = 0; i < n; i++)
        {
            faults.Add(r.Next(6) switch
            {
                0 => new Fault(FaultKind.Channels, r.Next(1, max + 1)),
                1 => new Fault(FaultKind.DeviceThreaded, r.Next(3)),
                2 => new Fault(FaultKind.NapiThreaded, r.Next(max), r.Next(3)),
                3 => new Fault(FaultKind.Deferral, r.Next(max), r.Next(1, 4)),
                4 => new Fault(FaultKind.PollThrow, r.Next(max), r.Next(2)),
                _ => new Fault(FaultKind.ClockJump, r.Next(1, 200)),
            });
        }
        if (r.Next(2) == 0)
            AddHotplug(faults, r, cpus, 1);
        return Common(seed, r, cpus) with
        {
            Family = "device",
            Kind = ScenarioKind.Device,
            Mode = (KickMode)r.Next(2),
            Rps = r.Next(2) == 0 ? "" : "all",
            Queues = r.Next(1, max + 1),
            MaxChannels = max,
            Producers = 1,
            Faults = Shuffle(faults, r),
        };
    }

    /// <summary>Aimed at per-flow order across hotplug: backlog threads, RPS on every CPU, CPUs going out and back.</summary>
    private static ScenarioSpec HotplugRps(long seed, Random r)
    {
        int cpus = r.Next(2, 4);
        var faults = new List<Fault>();
        AddHotplug(faults, r, cpus, r.Next(1, 4));
        return Common(seed, r, cpus) with
        {
            Family = "hotplug-rps",
            Kind = r.Next(2) == 0 ? ScenarioKind.Device : ScenarioKind.Loopback,
            Mode = KickMode.BacklogThreads,
            Rps = "all",
            Queues = 2,
            MaxChannels = 2,
            Faults = faults,
            HandlerThrowEvery = 0,
        };
    }

    /// <summary>Aimed at lost wake-ups across hotplug: softirq mode, queue interrupts moving with their CPU, deferral watchdogs.</summary>
    private static ScenarioSpec HotplugIrq(long seed, Random r)
    {
        int cpus = 2;
        var faults = new List<Fault>();
        AddHotplug(faults, r, cpus, r.Next(1, 4));
        if (r.Next(2) == 0)
            faults.Insert(0, new Fault(FaultKind.Deferral, r.Next(2), r.Next(1, 3)));
        return Common(seed, r, cpus) with
        {
            Family = "hotplug-irq",
            Kind = ScenarioKind.Device,
            Mode = KickMode.Softirq,
            Rps = "",
            Queues = 2,
            MaxChannels = 2,
            Producers = 1,
            Faults = faults,
            HandlerThrowEvery = 0,
        };
    }

    private static ScenarioSpec Common(long seed, Random r, int cpus) => Common(seed, r, cpus, tinyPool: r.Next(4) == 0);

    private static ScenarioSpec Common(long seed, Random r, int cpus, bool tinyPool) => new()
    {
        Seed = seed,
        Family = "",
        Kind = ScenarioKind.Loopback,
        Cpus = cpus,
        NetdevMaxBacklog = r.Next(4) == 0 ? r.Next(2, 8) : 1000,
        NetdevBudget = r.Next(3) == 0 ? r.Next(2, 16) : 300,
        NetdevBudgetUsecs = r.Next(4) == 0 ? r.Next(1, 20) : 2000,
        DevWeight = r.Next(2) == 0 ? r.Next(2, 8) : 64,
        SkbDeferMax = r.Next(3) switch { 0 => 0, 1 => r.Next(2, 6), _ => 64 },
        PoolSize = tinyPool ? 4 : 256,
        PoolLimit = tinyPool ? 64 : 4096,
        Producers = r.Next(1, 3),
        FlowsPerProducer = r.Next(1, 4),
        PacketsPerProducer = r.Next(6, 20),
        Batch = r.Next(1, 6),
        Weight = r.Next(2, 9),
        HandlerThrowEvery = r.Next(5) == 0 ? r.Next(3, 9) : 0,
    };

    private static void AddHotplug(List<Fault> faults, Random r, int cpus, int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            int cpu = r.Next(cpus);
            faults.Add(new Fault(FaultKind.Offline, cpu));
            faults.Add(new Fault(FaultKind.Online, cpu));
        }
    }

    private static List<Fault> Shuffle(List<Fault> faults, Random r)
    {
        // Keep each offline before its online; shuffle the other faults between them.
        var others = faults.Where(f => f.Kind is not (FaultKind.Offline or FaultKind.Online)).ToList();
        var result = faults.Where(f => f.Kind is FaultKind.Offline or FaultKind.Online).ToList();
        foreach (var f in others)
            result.Insert(r.Next(result.Count + 1), f);
        return result;
    }
}
