using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.SystematicTesting;
using Softnet.Core;
using Softnet.Simulation.Checks;
using Softnet.Simulation.Scenarios;

namespace Softnet.Simulation;

/// <summary>
/// Runs one seed under Coyote's testing engine: one iteration, the scheduler's random choices seeded by the seed, so
/// the same seed (and plant) replays the same schedule.
/// </summary>
internal static class SeedRunner
{
    /// <summary>Scheduling decisions a run may take; a run that needs more has not settled (a livelock).</summary>
    private const uint MaxSteps = 200_000;

    /// <summary>Decisions the priority-based strategy takes before it turns fair: spin-waits need fairness to end.</summary>
    private const uint MaxUnfairSteps = 1_000;

    /// <summary>
    /// How long the engine waits, in wall-clock time, on a step before it reports a potential deadlock. A lost wake-up
    /// shows deterministically (every thread asleep, or the quiescence invariant); this watchdog only catches a step
    /// that never returns, and the default 5 s reported a machine starved of CPU as a hang.
    /// </summary>
    private const uint PotentialDeadlockMs = 30_000;

    public static SeedResult Run(long seed, string? plant, TextWriter? stepLog = null, string? family = null)
    {
        var spec = family == "overload" ? ScenarioSpec.ForOverload(seed) : ScenarioSpec.FromSeed(seed);
        PlantedBugs.ConditionalWakeup = plant == "conditional-wakeup";
        PlantedBugs.MissedIgnored = plant == "missed-ignored";
        PlantedBugs.OverloadLeaveEarly = plant == "overload-leave-early";
        Invariants? invariants = null;
        SimulatedRun? run = null;
        var configuration = Configuration.Create()
            .WithTestingIterations(1)
            .WithRandomGeneratorSeed((uint)seed)
            .WithMaxSchedulingSteps(MaxUnfairSteps, MaxSteps)
            .WithPartiallyControlledConcurrencyAllowed(false)
            .WithPotentialDeadlocksReportedAsBugs(true)
            .WithDeadlockTimeout(PotentialDeadlockMs)
            .WithTelemetryEnabled(false)
            .WithVerbosityEnabled(VerbosityLevel.None)
            .WithConsoleLoggingEnabled(false);
        // Three explorations in turn: uniform random choices; priority-based (PCT), which starves chosen threads for long
        // stretches and finds deep orderings; and a probabilistic one that mostly keeps running the current thread,
        // so one thread gets through a whole operation (a hotplug, a channel change) while another is held at a step.
        configuration = (seed % 3) switch
        {
            0 => configuration.WithRandomStrategy(),
            1 => configuration.WithPrioritizationStrategy(isFair: true, priorityChangeBound: 10),
            _ => configuration.WithProbabilisticStrategy(probabilityLevel: 3),
        };
        using var engine = TestingEngine.Create(configuration, () =>
        {
            invariants = new Invariants { StepLog = stepLog };
            ProtocolChecks.Observer = invariants;
            run = new SimulatedRun(spec, invariants);
            run.Run();
        });
        engine.SetLogger(new TextWriterLogger(TextWriter.Null, VerbosityLevel.None));
        engine.Run();
        ProtocolChecks.Observer = null;
        var report = engine.TestReport;
        string? invariant = invariants?.Violation?.Invariant;
        string? detail = invariants?.Violation?.Detail;
        if (invariant is null && report.NumOfFoundBugs > 0)
        {
            // Not one of ours: an unhandled exception, a deadlock (a lost wake-up with every thread asleep), or uncontrolled concurrency.
            detail = string.Join("; ", report.BugReports);
            invariant = detail.Contains("Deadlock", StringComparison.OrdinalIgnoreCase) ? "no-lost-wakeup" : "engine-error";
        }
        else if (invariant is null && run is { Completed: false })
        {
            invariant = "termination";
            detail = $"the run did not finish within {MaxSteps} scheduling decisions";
        }
        return new SeedResult(spec, invariant, detail, invariants?.TraceHash ?? 0, invariants?.Steps ?? 0);
    }
}
