using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Softnet.Admin.Endpoints;
using Softnet.Admin.Http;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Admin;

/// <summary>
/// The stack's control plane over HTTP: the netdev netlink family's napi-get/napi-set, device threaded and channel
/// changes, CPU hotplug, and the counters (softnet_stat text, JSON, Prometheus). It listens on an owner-only Unix
/// socket, and optionally on a loopback TCP address.
/// </summary>
public sealed class AdminServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SoftnetMetrics? _metrics;
    private int _disposed;

    private AdminServer(WebApplication app, string socketPath, IPEndPoint? httpEndPoint, SoftnetMetrics? metrics)
    {
        _app = app;
        SocketPath = socketPath;
        HttpEndPoint = httpEndPoint;
        _metrics = metrics;
    }

    /// <summary>The Unix socket the server listens on (mode 0600).</summary>
    public string SocketPath { get; }

    /// <summary>The bound HTTP address (with the real port when port 0 was asked for); null without HTTP.</summary>
    public IPEndPoint? HttpEndPoint { get; }

    /// <summary>
    /// Binds and starts serving <paramref name="stack"/>. Fails with <see cref="ArgumentException"/> for a non-loopback
    /// HTTP address without <see cref="AdminOptions.AllowRemote"/>, and with <see cref="IOException"/> when another
    /// server answers on the socket path.
    /// </summary>
    public static async Task<AdminServer> StartAsync(NetStack stack, AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string path = Path.GetFullPath(options.UnixSocketPath);
        SocketFile.Prepare(path);

        var builder = WebApplication.CreateSlimBuilder();
        // The embedding application's appsettings and ASPNETCORE_* variables are not ours to obey.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.ListenUnixSocket(path);
            if (options.HttpEndPoint is { } http)
                kestrel.Listen(http);
        });
        var app = builder.Build();
        app.Use(ProblemMiddleware.Invoke);
        app.MapNapi(stack);
        app.MapDevices(stack);
        app.MapCpus(stack);
        app.MapStats(stack);
        app.MapFallback(ProblemMiddleware.NotFound);
        try
        {
            await app.StartAsync();
            // The socket is created with the umask's mode; the 0700 directory already kept others out until now.
            File.SetUnixFileMode(path, SocketFile.Mode);
        }
        catch
        {
            // Closing the listeners also unlinks the socket file if it was bound.
            await app.DisposeAsync();
            throw;
        }
        var metrics = options.PublishMeter ? new SoftnetMetrics(stack) : null;
        return new AdminServer(app, path, options.HttpEndPoint is null ? null : BoundHttp(app), metrics);
    }

    /// <summary>Stops serving, waits for requests in progress, and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _metrics?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(SocketPath);
    }

    private static IPEndPoint BoundHttp(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var http = new Uri(addresses.First(a => !a.StartsWith("http://unix:", StringComparison.Ordinal)));
        return IPEndPoint.Parse($"{http.Host}:{http.Port}");
    }
}
