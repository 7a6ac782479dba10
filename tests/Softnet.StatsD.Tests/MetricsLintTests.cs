using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace Softnet.StatsD.Tests;

/// <summary>The server's <c>/metrics</c> as Prometheus's own linter sees it.</summary>
public sealed class MetricsLintTests
{
    /// <summary>After every kind of line (and a malformed one) has been flushed, promtool finds no problem in the text.</summary>
    [PromtoolFact]
    public async Task Metrics_PassPromtoolCheckMetrics()
    {
        await using var server = await ServerHarness.StartAsync();
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            for (int i = 0; i < 50; i++)
                client.SendTo(Encoding.UTF8.GetBytes($"api.hits:1|c|@0.5\napi.latency:{i}|ms\npool.size:+1|g\nusers:u{i % 5}|s\nbroken"), new IPEndPoint(IPAddress.Loopback, server.UdpPort));
        }

        var stats = await server.WaitForLinesAsync(5 * 50);
        Assert.Equal(5 * 50, stats.Lines + stats.Dropped);
        server.App.Services.GetRequiredService<Flusher>().FlushNow();
        string text = await server.MetricsAsync();

        Assert.Contains("# TYPE api_hits_total counter", text);
        Assert.Contains("# TYPE statsd_receive_allocated_bytes_total counter", text);
        var (exit, output, errors) = ExternalTool.Run(ExternalTool.Find("promtool")!, ["check", "metrics"], text);
        Assert.True(exit == 0 && (output + errors).Trim().Length == 0, $"promtool check metrics: exit {exit}\n{output}{errors}\n{text}");
    }
}
