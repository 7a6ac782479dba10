namespace Softnet.Diagnostics;

/// <summary>
/// One counter of the stack, described once: every export (softnet_stat, the admin JSON, the <c>Softnet</c> meter,
/// Prometheus text, the CLI's tables) is a loop over <see cref="SoftnetCounters.All"/>.
/// </summary>
public sealed class SoftnetCounter
{
    internal SoftnetCounter(string name, CounterScope scope, CounterKind kind, string unit, string help, bool integral, Func<SoftnetSnapshot, IEnumerable<CounterSample>> read)
    {
        Name = name;
        Scope = scope;
        Kind = kind;
        Unit = unit;
        Help = help;
        Integral = integral;
        _read = read;
        InstrumentName = "softnet." + scope switch
        {
            CounterScope.Napi => "napi.",
            CounterScope.Device => "dev.",
            _ => "",
        } + name;
        PrometheusName = PrometheusNameOf(InstrumentName, unit, kind);
    }

    private readonly Func<SoftnetSnapshot, IEnumerable<CounterSample>> _read;

    /// <summary>The name within its scope, as the kernel's softnet_stat and the JSON reports spell it (<c>time_squeeze</c>).</summary>
    public string Name { get; }

    /// <summary>What one series of the counter belongs to: a CPU, a NAPI, a device or the whole stack.</summary>
    public CounterScope Scope { get; }

    /// <summary>Whether the value only grows (a counter), moves both ways (a gauge) or is a distribution (a histogram).</summary>
    public CounterKind Kind { get; }

    /// <summary>The unit as OpenTelemetry writes it: <c>{packet}</c> (a count of packets), <c>s</c>, <c>1</c> (a fraction).</summary>
    public string Unit { get; }

    /// <summary>A one-line description, used as the metric's description and Prometheus <c>HELP</c> text.</summary>
    public string Help { get; }

    /// <summary>Whole numbers (a <c>long</c> instrument) rather than fractions.</summary>
    public bool Integral { get; }

    /// <summary>The meter instrument: <c>softnet.</c>, then <c>napi.</c> or <c>dev.</c> by scope, then <see cref="Name"/>.</summary>
    public string InstrumentName { get; }

    /// <summary>
    /// The Prometheus family, derived from <see cref="InstrumentName"/> as OpenTelemetry's Prometheus exporter derives
    /// it (dots become underscores, <c>_seconds</c> for <c>s</c>, <c>_bytes</c> for <c>By</c>, <c>_total</c> for a counter), so <c>/metrics</c> and an OpenTelemetry export name every counter the same way.
    /// </summary>
    public string PrometheusName { get; }

    /// <summary>The softnet_stat column (0-based) of a per-CPU counter that has one.</summary>
    public int? SoftnetStatColumn { get; init; }

    /// <summary>Per-CPU counters that are a field of each CPU's row in <c>/stats</c> and the reports (the rest sit under <c>overload</c>).</summary>
    public bool InCpuRow { get; init; }

    /// <summary>The column heading in <c>softnet stat --watch</c> (a rate per second for counters); null for a counter left out of the CLI's summaries.</summary>
    public string? WatchHeading { get; init; }

    /// <summary>A per-CPU counter's value for one CPU; null for other scopes and labelled counters.</summary>
    public Func<CpuStat, long>? PerCpu { get; init; }

    /// <summary>A per-NAPI counter's value for one NAPI; null for other scopes and labelled counters.</summary>
    public Func<NapiStat, long>? PerNapi { get; init; }

    /// <summary>Every series of the counter in <paramref name="snapshot"/>: online CPUs, NAPIs, devices, or stack-wide.</summary>
    public IEnumerable<CounterSample> Read(SoftnetSnapshot snapshot) => _read(snapshot);

    private static string PrometheusNameOf(string instrument, string unit, CounterKind kind)
    {
        string name = instrument.Replace('.', '_');
        string suffix = (unit, kind) switch
        {
            ("s", _) => "_seconds",
            ("By", _) => "_bytes",
            _ => "",
        };
        if (!name.EndsWith(suffix, StringComparison.Ordinal))
            name += suffix;
        return kind == CounterKind.Counter ? name + "_total" : name;
    }
}
