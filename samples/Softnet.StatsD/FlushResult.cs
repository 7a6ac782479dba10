namespace Softnet.StatsD;

/// <summary>
/// What one flush interval aggregated: counters (known counters report 0 when idle, as Etsy's statsd does), every
/// gauge's current value, timers and sets that saw values, and the server's cumulative line accounting.
/// </summary>
public sealed record FlushResult(
    DateTimeOffset At,
    IReadOnlyList<KeyValuePair<string, double>> Counters,
    IReadOnlyList<KeyValuePair<string, double>> Gauges,
    IReadOnlyList<TimerSummary> Timers,
    IReadOnlyList<KeyValuePair<string, int>> Sets,
    LineStats Stats);
