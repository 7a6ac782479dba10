using System.Diagnostics.Metrics;
using Softnet.Core;
using Softnet.Diagnostics;
using Softnet.Tests.Core;

namespace Softnet.Tests.Metrics;

/// <summary>The counter table: one naming scheme for both exports, the softnet_stat columns, and the stack's meter.</summary>
public sealed class SoftnetCountersTests
{
    [Fact]
    public void EveryCounterHasOneSoftnetNameInBothExports_AndNoneIsNodeExporters()
    {
        var all = SoftnetCounters.All;
        Assert.Equal(all.Count, all.Select(c => c.InstrumentName).Distinct().Count());
        Assert.Equal(all.Count, all.Select(c => c.PrometheusName).Distinct().Count());
        foreach (var c in all)
        {
            Assert.StartsWith("softnet.", c.InstrumentName);
            Assert.StartsWith("softnet_", c.PrometheusName);
            Assert.False(string.IsNullOrWhiteSpace(c.Help), c.Name);
            // The Prometheus family is the instrument name with underscores, plus the unit and _total as OpenTelemetry adds them.
            Assert.StartsWith(c.InstrumentName.Replace('.', '_'), c.PrometheusName);
            Assert.Equal(c.Kind == CounterKind.Counter, c.PrometheusName.EndsWith("_total", StringComparison.Ordinal));
            if (c.Unit == "s")
                Assert.Contains("_seconds", c.PrometheusName);
        }
        Assert.Equal("softnet_time_squeeze_total", SoftnetCounters.ByInstrument("softnet.time_squeeze").PrometheusName);
        Assert.Equal("softnet_napi_overload_time_seconds_total", SoftnetCounters.ByInstrument("softnet.napi.overload.time").PrometheusName);
        Assert.Equal("softnet_overload_cpu_share", SoftnetCounters.ByInstrument("softnet.overload.cpu_share").PrometheusName);
        Assert.Equal("softnet_delivery_latency_seconds", SoftnetCounters.ByInstrument("softnet.delivery.latency").PrometheusName);
    }

    [Fact]
    public void TheSoftnetStatColumnsAreTheKernelsAndTheRowsKeepTheirFieldOrder()
    {
        Assert.Equal(
            [(0, "processed"), (1, "dropped"), (2, "time_squeeze"), (9, "received_rps"), (10, "flow_limit_count"), (11, "backlog_len"), (13, "input_queue_len"), (14, "process_queue_len")],
            SoftnetCounters.SoftnetStatColumns.Select(c => (c.SoftnetStatColumn!.Value, c.Name)));
        Assert.Equal(
            ["processed", "dropped", "time_squeeze", "received_rps", "flow_limit_count", "backlog_len", "input_queue_len", "process_queue_len", "delivered", "ipi_sent", "wakeups"],
            SoftnetCounters.CpuRow.Select(c => c.Name));
        Assert.Equal(["processed", "dropped", "time_squeeze", "received_rps", "flow_limit_count", "backlog_len"], SoftnetCounters.Summary.Select(c => c.Name));
        Assert.All(SoftnetCounters.CpuRow, c => Assert.NotNull(c.PerCpu));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1024, 0)]
    [InlineData(1025, 1)]
    [InlineData(2048, 1)]
    [InlineData(2049, 2)]
    [InlineData(1L << 30, 20)]
    [InlineData((1L << 30) + 1, 21)]
    [InlineData(long.MaxValue, 21)]
    public void LatencyBucketBoundsAreInclusiveAsPrometheusLe(long ns, int bucket)
    {
        Assert.Equal(bucket, DeliveryLatency.Bucket(ns));
        if (bucket < DeliveryLatency.FiniteBuckets)
            Assert.True(ns / 1e9 <= DeliveryLatency.BoundsSeconds[bucket]);
    }

    [Fact]
    public void EveryStackPublishesItsMeterForItsLifetime_UnlessTurnedOff()
    {
        var published = new List<Instrument>();
        var completed = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SoftnetMetrics.MeterName)
                {
                    lock (published)
                        published.Add(instrument);
                    l.EnableMeasurementEvents(instrument);
                }
            },
            MeasurementsCompleted = (instrument, _) =>
            {
                lock (completed)
                    completed.Add(instrument);
            },
        };
        listener.Start();

        var stack = new NetStack(Stacks.Options(2), Stacks.Ignore);
        var meter = stack.Metrics!.Meter;
        Instrument[] ours;
        lock (published)
            ours = [.. published.Where(i => i.Meter == meter)];
        Assert.Equal(SoftnetCounters.All.Select(c => c.InstrumentName).Order(), ours.Select(i => i.Name).Order());
        stack.Dispose();
        lock (completed)
            Assert.All(ours, i => Assert.Contains(i, completed));

        using var quiet = new NetStack(Stacks.Options(1) with { Metrics = false }, Stacks.Ignore);
        Assert.Null(quiet.Metrics);
        Assert.Equal(0, quiet.Snapshot().DeliveryLatency.Count);
    }
}
