using System.Net;
using System.Net.Sockets;
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

namespace Softnet.Admin;

/// <summary>
/// The stack's control plane over HTTP: the netdev netlink family's napi-get/napi-set, device threaded and channel
/// changes, CPU hotplug, and the counters (softnet_stat text, JSON, Prometheus). It listens on an owner-only Unix
/// socket, optionally on a loopback TCP address that wants a bearer token, and optionally on a metrics-only address.
/// </summary>
public sealed class AdminServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private MetricsServer? _metrics;
    private int _disposed;

    private AdminServer(WebApplication app, string socketPath, string? generatedTokenPath)
    {
        _app = app;
        SocketPath = socketPath;
        TokenPath = generatedTokenPath;
    }

    /// <summary>The Unix socket the server listens on (mode 0600).</summary>
    public string SocketPath { get; }

    /// <summary>The bound HTTP address (with the real port when port 0 was asked for); null without HTTP.</summary>
    public IPEndPoint? HttpEndPoint { get; private set; }

    /// <summary>The bound metrics-only address (a <see cref="MetricsServer"/> the admin server runs beside itself); null without one.</summary>
    public IPEndPoint? MetricsEndPoint => _metrics?.EndPoint;

    /// <summary>The token file the server generated (removed on dispose); null without HTTP or with <see cref="AdminOptions.TokenFile"/>.</summary>
    public string? TokenPath { get; }

    /// <summary>
    /// Binds and starts serving <paramref name="stack"/>. Fails with <see cref="ArgumentException"/> for a non-loopback
    /// HTTP address without <see cref="AdminOptions.AllowRemote"/>, with <see cref="AdminSetupException"/> when the socket's
    /// directory or path is not safe to use or another server answers on it, and with <see cref="IOException"/> when an
    /// address is taken.
    /// </summary>
    public static async Task<AdminServer> StartAsync(NetStack stack, AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // A TCP listener on an IPv4-mapped address ([::ffff:127.0.0.1]) is a listener on the IPv4 address.
        options = options with { HttpEndPoint = Unmapped(options.HttpEndPoint) };
        string path = Path.GetFullPath(options.UnixSocketPath);
        bool defaultDirectory = Path.GetDirectoryName(path) == Path.GetFullPath(AdminPaths.DefaultDirectory());
        SocketFile.Prepare(path, defaultDirectory);
        string? token = null;
        string? generatedTokenPath = null;
        if (options.HttpEndPoint is not null)
        {
            if (options.TokenFile is { } file)
            {
                token = AdminToken.Read(file);
            }
            else
            {
                generatedTokenPath = AdminToken.PathBeside(path);
                token = AdminToken.Generate(generatedTokenPath);
            }
        }

        int unix;
        try
        {
            unix = SocketFile.Bind(path);
        }
        catch
        {
            DeleteQuietly(generatedTokenPath);
            throw;
        }
        WebApplication app;
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            // The embedding application's appsettings and ASPNETCORE_* variables are not ours to obey.
            builder.Configuration.Sources.Clear();
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = 64 * 1024;
                // Kestrel takes over the descriptor bound above, and closes it.
                kestrel.ListenHandle((ulong)unix, l => l.Tag(Listener.UnixSocket));
                if (options.HttpEndPoint is { } http)
                    kestrel.Listen(http, l => l.Tag(Listener.AdminHttp));
            });
            app = builder.Build();
        }
        catch
        {
            Interop.FileSystem.Close(unix);
            DeleteQuietly(path);
            DeleteQuietly(generatedTokenPath);
            throw;
        }
        var guard = new HttpGuard(token ?? "", options.AllowRemote ? options.HttpEndPoint?.Address : null);
        app.Use(ProblemMiddleware.Invoke);
        app.Use(guard.Invoke);
        app.MapNapi(stack);
        app.MapDevices(stack);
        app.MapCpus(stack);
        app.MapStats(stack);
        app.MapFallback(ProblemMiddleware.NotFound);
        try
        {
            await app.StartAsync();
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            DeleteQuietly(path);
            DeleteQuietly(generatedTokenPath);
            if (e is SocketException s)
                throw new IOException($"admin HTTP: {s.Message}", e);
            throw;
        }
        var server = new AdminServer(app, path, generatedTokenPath);
        if (options.HttpEndPoint is { } h)
            server.HttpEndPoint = BoundTcp(app).First(b => Matches(h, b));
        if (options.MetricsEndPoint is { } m)
        {
            try
            {
                server._metrics = await MetricsServer.StartAsync(stack, m);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
        return server;
    }

    /// <summary>Stops serving, waits for requests in progress, and removes the socket file and a generated token file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_metrics is not null)
            await _metrics.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        DeleteQuietly(SocketPath);
        DeleteQuietly(TokenPath);
    }

    private static IPEndPoint? Unmapped(IPEndPoint? ep) =>
        ep is { Address.IsIPv4MappedToIPv6: true } ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;

    private static bool Matches(IPEndPoint asked, IPEndPoint bound) =>
        asked.Address.Equals(bound.Address) && (asked.Port == 0 || asked.Port == bound.Port);

    private static IPEndPoint[] BoundTcp(WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Where(a => !a.StartsWith("http://unix:", StringComparison.Ordinal) && Uri.TryCreate(a, UriKind.Absolute, out var u) && u.Port > 0)
            .Select(a => new Uri(a))
            .Select(u => IPEndPoint.Parse($"{u.Host}:{u.Port}"))];

    private static void DeleteQuietly(string? path)
    {
        if (path is null)
            return;
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
