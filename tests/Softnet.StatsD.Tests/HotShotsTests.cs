using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Softnet.StatsD.Tests;

/// <summary>The server fed by a real StatsD client: hot-shots, buffered, with the comparison's own traffic.</summary>
public sealed class HotShotsTests
{
    /// <summary>
    /// <c>compare/client.js agree</c> (counters with and without a sample rate, gauges with deltas, timers, sets, several
    /// lines per datagram) against the server in process: the flushed totals are exactly what the client says it sent.
    /// </summary>
    [HotShotsFact]
    public async Task HotShotsTraffic_AggregatesToWhatTheClientSent()
    {
        await using var server = await ServerHarness.StartAsync();
        const int Iterations = 500;
        string compare = ExternalTool.CompareDirectory();

        var (exit, output, errors) = ExternalTool.Run(ExternalTool.Find("node")!, ["client.js", "agree", server.UdpPort.ToString(), Iterations.ToString(), "5000"], workingDirectory: compare);

        Assert.True(exit == 0, $"client.js: exit {exit}\n{errors}");
        using var expected = JsonDocument.Parse(output);
        var root = expected.RootElement;
        Assert.Equal(Iterations, root.GetProperty("iterations").GetInt32());
        Assert.Equal(0, root.GetProperty("errors").GetInt32());
        // Six lines an iteration, and the sampled increment in the iterations hot-shots sampled (each counts 2 at @0.5).
        long lines = (6 * Iterations) + (long)(root.GetProperty("counters").GetProperty("cmp.sampled").GetDouble() / 2);
        var stats = await server.WaitForLinesAsync(lines);
        var flush = server.App.Services.GetRequiredService<Flusher>().FlushNow();

        Assert.Equal(lines, stats.Lines);
        Assert.Equal(0, stats.Dropped);
        foreach (var counter in root.GetProperty("counters").EnumerateObject())
            Assert.Equal(counter.Value.GetDouble(), flush.Counters.Single(c => c.Key == counter.Name).Value);
        foreach (var gauge in root.GetProperty("gauges").EnumerateObject())
            Assert.Equal(gauge.Value.GetDouble(), flush.Gauges.Single(g => g.Key == gauge.Name).Value);
        var latency = root.GetProperty("timers").GetProperty("cmp.latency");
        var timer = flush.Timers.Single(t => t.Name == "cmp.latency");
        Assert.Equal(latency.GetProperty("count").GetDouble(), timer.Count);
        Assert.Equal(latency.GetProperty("sum").GetDouble(), timer.Sum);
        Assert.Equal(100, flush.Sets.Single(s => s.Key == "cmp.users").Value);
    }
}
