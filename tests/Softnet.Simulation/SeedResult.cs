using Softnet.Simulation.Scenarios;

namespace Softnet.Simulation;

/// <summary>What one seed did: its scenario, the broken invariant if any, and the fingerprint of its schedule.</summary>
internal sealed record SeedResult(ScenarioSpec Spec, string? Invariant, string? Detail, ulong TraceHash, long Steps)
{
    public bool Failed => Invariant is not null;
}
