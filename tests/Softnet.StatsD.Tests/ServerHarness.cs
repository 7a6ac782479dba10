using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Softnet.Hosting;

namespace Softnet.StatsD.Tests;

/// <summary>The server started in process on free ports (UDP and HTTP), flushing only when a test asks.</summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private ServerHarness(WebApplication app) => App = app;

    public WebApplication App { get; }

    public int UdpPort => App.Services.GetRequiredService<SoftnetService>().Udp!.LocalEndPoint.Port;

    public Aggregator Aggregator => App.Services.GetRequiredService<Aggregator>();

    public static async Task<ServerHarness> StartAsync()
    {
        var app = StatsDServer.Build(["--port", "0", "--http", "127.0.0.1:0", "--flush-interval", "3600", "--Softnet:Cpus=2"]);
        await app.StartAsync();
        return new ServerHarness(app);
    }

    /// <summary>Waits (at most 10 s) until the server has accounted for <paramref name="lines"/> metric lines.</summary>
    public async Task<LineStats> WaitForLinesAsync(long lines)
    {
        var clock = Stopwatch.StartNew();
        while (Aggregator.Stats() is var stats && stats.Lines + stats.Dropped < lines && clock.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(10);
        return Aggregator.Stats();
    }

    public async Task<string> MetricsAsync()
    {
        string address = App.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        return await http.GetStringAsync("/metrics");
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
