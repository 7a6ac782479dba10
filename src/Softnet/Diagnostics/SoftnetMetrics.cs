using System.Diagnostics.Metrics;
using Softnet.Core;

namespace Softnet.Diagnostics;

/// <summary>
/// The stack's counters as a <see cref="Meter"/> named <c>Softnet</c>, for dotnet-counters and OpenTelemetry: one
/// instrument per line of <see cref="SoftnetCounters.All"/>, under its <see cref="SoftnetCounter.InstrumentName"/>. The
/// counters and gauges are observable (read when a listener collects, never added per packet); the delivery-latency
/// histogram is recorded as packets are delivered, and only while a listener has it enabled. Every stack has one,
/// from its start to its disposal, unless <see cref="NetStackOptions.Metrics"/> is off.
/// </summary>
public sealed class SoftnetMetrics : IDisposable
{
    /// <summary>The name of the stack's meter: <c>Softnet</c>.</summary>
    public const string MeterName = "Softnet";

    /// <summary>A collection reads every instrument in a row; one snapshot serves them all.</summary>
    private const long SnapshotReuseMs = 50;

    private readonly NetStack _stack;
    private readonly Lock _lock = new();
    private SoftnetSnapshot? _snapshot;
    private long _takenMs;
    private volatile bool _disposed;

    internal SoftnetMetrics(NetStack stack, IMeterFactory? factory)
    {
        _stack = stack;
        Meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        foreach (var counter in SoftnetCounters.All)
        {
            switch (counter.Kind)
            {
                case CounterKind.Histogram:
                    Latency = Meter.CreateHistogram(counter.InstrumentName, counter.Unit, counter.Help, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DeliveryLatency.BoundsSeconds });
                    break;
                case CounterKind.Counter when counter.Integral:
                    Meter.CreateObservableCounter(counter.InstrumentName, () => Longs(counter), counter.Unit, counter.Help);
                    break;
                case CounterKind.Counter:
                    Meter.CreateObservableCounter(counter.InstrumentName, () => Doubles(counter), counter.Unit, counter.Help);
                    break;
                case CounterKind.Gauge when counter.Integral:
                    Meter.CreateObservableGauge(counter.InstrumentName, () => Longs(counter), counter.Unit, counter.Help);
                    break;
                default:
                    Meter.CreateObservableGauge(counter.InstrumentName, () => Doubles(counter), counter.Unit, counter.Help);
                    break;
            }
        }
    }

    /// <summary>The meter itself: several stacks in one process each have one, all named <c>Softnet</c>.</summary>
    public Meter Meter { get; }

    internal Histogram<double>? Latency { get; }

    /// <summary>
    /// Ends the instruments. A meter from an <see cref="IMeterFactory"/> lives until its factory is disposed (the
    /// factory refuses to let it go earlier), so from here on its instruments report no series.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        Meter.Dispose();
    }

    private IEnumerable<Measurement<long>> Longs(SoftnetCounter counter) =>
        _disposed ? [] : counter.Read(Snapshot()).Select(s => new Measurement<long>((long)s.Value, s.Labels));

    private IEnumerable<Measurement<double>> Doubles(SoftnetCounter counter) =>
        _disposed ? [] : counter.Read(Snapshot()).Select(s => new Measurement<double>(s.Value, s.Labels));

    private SoftnetSnapshot Snapshot()
    {
        long now = Environment.TickCount64;
        lock (_lock)
        {
            if (_snapshot is null || now - _takenMs >= SnapshotReuseMs)
            {
                _snapshot = _stack.Snapshot();
                _takenMs = now;
            }
            return _snapshot;
        }
    }
}
