namespace Softnet.Diagnostics;

/// <summary>One series' value of a counter at a snapshot: its labels (scope labels first) and the value.</summary>
public readonly record struct CounterSample(KeyValuePair<string, object?>[] Labels, double Value);
