using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Softnet.Admin;

namespace Softnet.Hosting;

/// <summary>The admin endpoint (<see cref="AdminServer"/>) over the hosted stack, started after it and stopped before it.</summary>
public sealed class SoftnetAdminService : IHostedService, IAsyncDisposable
{
    private readonly SoftnetService _softnet;
    private readonly AdminOptions _options;
    private readonly ILogger<SoftnetAdminService> _logger;
    private AdminServer? _server;

    /// <summary>Created by dependency injection; see <see cref="SoftnetServiceCollectionExtensions.AddSoftnetAdmin"/>.</summary>
    public SoftnetAdminService(SoftnetService softnet, AdminOptions options, ILogger<SoftnetAdminService> logger)
    {
        _softnet = softnet;
        _options = options;
        _logger = logger;
    }

    /// <summary>The running server (its socket path and listeners), once the host has started.</summary>
    public AdminServer Server => _server ?? throw new InvalidOperationException("the admin endpoint has not started yet");

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _server = await AdminServer.StartAsync(_softnet.Stack, _options).ConfigureAwait(false);
        SoftnetLog.AdminStarted(_logger, _server.SocketPath);
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
