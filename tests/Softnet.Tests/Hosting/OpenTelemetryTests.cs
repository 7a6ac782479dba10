using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Softnet.Diagnostics;
using Softnet.Hosting;
using Softnet.Tests.TestSupport;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Hosting;

/// <summary>The hosted stack's meter through OpenTelemetry's <c>AddMeter("Softnet")</c>, collected by the in-memory exporter.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class OpenTelemetryTests
{
    private const int Datagrams = 500;
    private const string IfName = "otel0";

    /// <summary>
    /// Once the traffic is settled, every counter of the table is exported under its instrument name (each one
    /// <c>softnet.</c>…, the names <c>/metrics</c> shows with underscores), the delivery-latency histogram counted every
    /// datagram, and the per-NAPI packets match the stack's own count. Other tests' stacks publish Softnet meters in
    /// the same process, so the hosted stack's series are told apart by its device name.
    /// </summary>
    [Fact]
    public async Task AddMeterSoftnet_ExportsEveryCounterOfTheTable()
    {
        var exported = new List<Metric>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSoftnet<CountingHandler>(configure: o =>
        {
            o.Cpus = 2;
            o.Udp = new SoftnetUdpOptions { Name = IfName, Bind = "127.0.0.1:0" };
        });
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(SoftnetMetrics.MeterName).AddInMemoryExporter(exported));
        using var host = builder.Build();
        await host.StartAsync();
        var softnet = host.Services.GetRequiredService<SoftnetService>();
        var handler = (CountingHandler)host.Services.GetRequiredService<IPacketBatchHandler>();
        var published = PublishedInstruments();
        // The hosted stack's meter comes from the host's IMeterFactory.
        Assert.Same(host.Services.GetRequiredService<IMeterFactory>(), softnet.Stack.Metrics!.Meter.Scope);

        using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            for (int i = 0; i < Datagrams; i++)
                sender.SendTo(new byte[16], softnet.Udp!.LocalEndPoint);
        }

        Eventually.True(() => handler.Packets + softnet.Stack.Snapshot().Dropped >= Datagrams, "every datagram delivered or counted");
        // A NAPI counts a poll's packets when the poll returns, after the handler saw them.
        Eventually.True(() => softnet.Stack.Snapshot().Napis.Sum(n => n.Packets) >= Datagrams, () => $"the NAPIs to count every datagram ({softnet.Stack.Snapshot().Napis.Sum(n => n.Packets)})");
        // Collected while running: a stopped stack has no devices left, so the per-NAPI instruments would have no rows.
        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush());
        var snapshot = softnet.Stack.Snapshot();
        long expectedPackets = snapshot.Napis.Sum(n => n.Packets);
        // Every datagram the handler got carried the device's receive time.
        Assert.Equal(handler.Packets, snapshot.DeliveryLatency.Count);
        await host.StopAsync();

        Assert.NotEmpty(published);
        Assert.Empty(published.Except(exported.Select(m => m.Name)));
        Assert.Empty(SoftnetCounters.All.Select(c => c.InstrumentName).Except(exported.Select(m => m.Name)));
        Assert.All(exported.Where(m => m.MeterName == SoftnetMetrics.MeterName), m => Assert.StartsWith("softnet.", m.Name));
        long packets = 0;
        foreach (var metric in exported.Where(m => m.Name == "softnet.napi.packets"))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                if (HasTag(point, "ifname", IfName))
                    packets += point.GetSumLong();
            }
        }
        Assert.Equal(expectedPackets, packets);
        Assert.Equal(Datagrams, expectedPackets);
        Assert.True(exported.Where(m => m.Name == "softnet.delivery.latency").Any(HasSamples), "the delivery-latency histogram recorded the datagrams");
    }

    private static bool HasTag(in MetricPoint point, string key, object value)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key && Equals(tag.Value, value))
                return true;
        }
        return false;
    }

    private static bool HasSamples(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            if (point.GetHistogramCount() > 0)
                return true;
        }
        return false;
    }

    private static HashSet<string> PublishedInstruments()
    {
        var names = new HashSet<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == SoftnetMetrics.MeterName)
                    names.Add(instrument.Name);
            },
        };
        listener.Start();
        return names;
    }
}
