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

    /// <summary>
    /// Once the traffic is settled, every instrument the Softnet meter publishes is exported, and the processed counter
    /// matches the stack's own count.
    /// </summary>
    [Fact]
    public async Task AddMeterSoftnet_ExportsEveryInstrument()
    {
        var exported = new List<Metric>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSoftnet<CountingHandler>(configure: o =>
        {
            o.Cpus = 2;
            o.Udp = new SoftnetUdpOptions { Bind = "127.0.0.1:0" };
        });
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(SoftnetMetrics.MeterName).AddInMemoryExporter(exported));
        using var host = builder.Build();
        await host.StartAsync();
        var softnet = host.Services.GetRequiredService<SoftnetService>();
        var handler = (CountingHandler)host.Services.GetRequiredService<IPacketBatchHandler>();
        var published = PublishedInstruments();

        using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            for (int i = 0; i < Datagrams; i++)
                sender.SendTo(new byte[16], softnet.Udp!.LocalEndPoint);
        }

        Eventually.True(() => handler.Packets + softnet.Stack.Snapshot().Dropped >= Datagrams, "every datagram delivered or counted");
        // Collected while running: a stopped stack has no devices left, so the per-NAPI instruments would have no rows.
        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush());
        long expectedProcessed = softnet.Stack.Snapshot().Processed;
        await host.StopAsync();

        Assert.NotEmpty(published);
        Assert.Empty(published.Except(exported.Select(m => m.Name)));
        long processed = 0;
        foreach (ref readonly var point in exported.Last(m => m.Name == "softnet.processed").GetMetricPoints())
            processed += point.GetSumLong();
        Assert.Equal(expectedProcessed, processed);
        Assert.True(processed >= handler.Packets, $"processed {processed} < delivered {handler.Packets}");
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
