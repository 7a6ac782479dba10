using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Softnet.Admin;

namespace Softnet.Hosting;

/// <summary>
/// The read-only metrics listener (<see cref="MetricsServer"/>: <c>GET /metrics</c> and nothing else, no token) over the
/// hosted stack, without the admin endpoint: started after the stack, stopped before it.
/// </summary>
public sealed class SoftnetMetricsService : IHostedService, IAsyncDisposable
{
    private readonly SoftnetService _softnet;
    private readonly IPEndPoint _endPoint;
    private readonly ILogger<SoftnetMetricsService> _logger;
    private MetricsServer? _server;

    /// <summary>Created by <see cref="SoftnetServiceCollectionExtensions.AddSoftnetMetrics"/>, with the endpoint it parsed.</summary>
    internal SoftnetMetricsService(SoftnetService softnet, IPEndPoint endPoint, ILogger<SoftnetMetricsService> logger)
    {
        _softnet = softnet;
        _endPoint = endPoint;
        _logger = logger;
    }

    /// <summary>The bound address (the real port when port 0 was asked for), once the host has started.</summary>
    public IPEndPoint EndPoint => _server?.EndPoint ?? throw new InvalidOperationException("the metrics listener has not started yet");

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _server = await MetricsServer.StartAsync(_softnet.Stack, _endPoint).ConfigureAwait(false);
        SoftnetLog.MetricsStarted(_logger, _server.EndPoint);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
            await server.DisposeAsync().ConfigureAwait(false);
    }
}
