using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Softnet.Hosting;

namespace Softnet.StatsD.Tests;

/// <summary>The server in process: real UDP datagrams to 127.0.0.1 through Softnet, then <c>/metrics</c> over HTTP.</summary>
public sealed class StatsDServerTests
{
    [Fact]
    public async Task Datagrams_OverUdp_AreAggregatedAndServedAsPrometheusText()
    {
        using var app = StatsDServer.Build(["--port", "0", "--http", "127.0.0.1:0", "--flush-interval", "3600", "--Softnet:Cpus=2"]);
        await app.StartAsync();
        try
        {
            var softnet = app.Services.GetRequiredService<SoftnetService>();
            int port = softnet.Udp!.LocalEndPoint.Port;
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var target = new IPEndPoint(IPAddress.Loopback, port);
            const int Datagrams = 200;
            for (int i = 0; i < Datagrams; i++)
                client.SendTo(Encoding.UTF8.GetBytes($"req.count:1|c\nreq.time:{i % 10}|ms\nqueue.depth:{i}|g\nclients:c{i % 7}|s\nbroken"), target);

            var aggregator = app.Services.GetRequiredService<Aggregator>();
            var clock = Stopwatch.StartNew();
            while (aggregator.Stats().Datagrams + softnet.Udp.ReadSocketDrops() + softnet.Stack.Snapshot().Dropped < Datagrams && clock.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(10);
            long received = aggregator.Stats().Datagrams;
            Assert.Equal(Datagrams, received + softnet.Udp.ReadSocketDrops() + softnet.Stack.Snapshot().Dropped);

            var flush = app.Services.GetRequiredService<Flusher>().FlushNow();
            string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            string[] lines = (await http.GetStringAsync("/metrics")).Split('\n');

            Assert.Contains($"req_count_total {received}", lines);
            Assert.Contains($"req_time_count {received}", lines);
            Assert.Contains($"statsd_lines_total {4 * received}", lines);
            Assert.Contains($"statsd_dropped_lines_total{{reason=\"no_colon\"}} {received}", lines);
            Assert.Contains("# TYPE queue_depth gauge", lines);
            Assert.Contains("clients 7", lines);
            Assert.Equal(received, flush.Counters.Single(c => c.Key == "req.count").Value);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public void BadCommandLine_ReportsEveryOptionWithItsRange()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => StatsDServer.Build(["--port", "70000", "--http", "localhost:9102", "--flush-interval", "0"]));

        Assert.Equal(3, ex.Failures.Count());
        Assert.Contains(ex.Failures, f => f.StartsWith("--port (StatsD:Port) must be between 0 and 65535", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("--http (StatsD:Http) must be an IP address and port", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("--flush-interval (StatsD:FlushInterval) must be between 0.1 and 3600 seconds", StringComparison.Ordinal));
    }
}
