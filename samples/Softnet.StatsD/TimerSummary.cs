namespace Softnet.StatsD;

/// <summary>
/// A timer over one flush interval, in the units sent (milliseconds): <paramref name="Count"/> scaled by sample rates,
/// <paramref name="Samples"/> values received, their sum, mean, bounds and nearest-rank percentiles.
/// </summary>
public sealed record TimerSummary(string Name, double Count, int Samples, double Sum, double Mean, double Lower, double Upper, double P50, double P90, double P99);
