using System.Net;
using Microsoft.AspNetCore.Builder;
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
        options = options with { HttpEndPoint = EmbeddedKestrel.Unmapped(options.HttpEndPoint) };
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
            app = EmbeddedKestrel.Build(kestrel =>
            {
                // Kestrel takes over the descriptor bound above, and closes it.
                kestrel.ListenHandle((ulong)unix, l => l.Tag(Listener.UnixSocket));
                if (options.HttpEndPoint is { } http)
                    kestrel.Listen(http, l => l.Tag(Listener.AdminHttp));
            });
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
            await EmbeddedKestrel.StartAsync(app, "admin HTTP");
        }
        catch
        {
            DeleteQuietly(path);
            DeleteQuietly(generatedTokenPath);
            throw;
        }
        var server = new AdminServer(app, path, generatedTokenPath);
        if (options.HttpEndPoint is { } h)
            server.HttpEndPoint = EmbeddedKestrel.BoundTcp(app).First(b => Matches(h, b));
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

    private static bool Matches(IPEndPoint asked, IPEndPoint bound) =>
        asked.Address.Equals(bound.Address) && (asked.Port == 0 || asked.Port == bound.Port);

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
