namespace Softnet.Simulation.Checks;

/// <summary>The first invariant a run broke: its name (stable, for grouping and CI) and what was seen.</summary>
internal sealed record InvariantViolation(string Invariant, string Detail);
