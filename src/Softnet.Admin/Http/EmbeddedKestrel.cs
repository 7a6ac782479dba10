using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Softnet.Admin.Http;

/// <summary>
/// The Kestrel the admin and metrics servers embed in someone else's process, set up one way for both: it obeys none
/// of the embedding application's configuration, logging or signals, and serves small requests only.
/// </summary>
internal static class EmbeddedKestrel
{
    /// <summary>The largest request body either server reads.</summary>
    private const long MaxRequestBodySize = 64 * 1024;

    /// <summary>An application listening where <paramref name="listen"/> says, not yet started.</summary>
    public static WebApplication Build(Action<KestrelServerOptions> listen)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The embedding application's appsettings and ASPNETCORE_* variables are not ours to obey.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        // A request is served on the thread its socket's completion arrives on, not handed to a thread-pool worker
        // that has to be woken: the handlers are short and wait on no I/O. With the runtime's inline socket
        // completions (which `softnet serve` turns on) a GET /stats at 100 requests/s cost 0.48-0.68 of its CPU
        // (bench/admin-cpu.py); on a packet CPU that is what a competing task gets back.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodySize;
            listen(kestrel);
        });
        return builder.Build();
    }

    /// <summary>
    /// Starts <paramref name="app"/>; when that fails it is disposed, and an address in use becomes an
    /// <see cref="IOException"/> whose message starts with <paramref name="listener"/>.
    /// </summary>
    public static async Task StartAsync(WebApplication app, string listener)
    {
        try
        {
            await app.StartAsync();
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            if (e is SocketException s)
                throw new IOException($"{listener}: {s.Message}", e);
            throw;
        }
    }

    /// <summary>The TCP addresses <paramref name="app"/> is bound to, with the real ports where port 0 was asked for.</summary>
    public static IPEndPoint[] BoundTcp(WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Where(a => !a.StartsWith("http://unix:", StringComparison.Ordinal) && Uri.TryCreate(a, UriKind.Absolute, out var u) && u.Port > 0)
            .Select(a => new Uri(a))
            .Select(u => IPEndPoint.Parse($"{u.Host}:{u.Port}"))];

    /// <summary>A TCP listener on an IPv4-mapped address ([::ffff:127.0.0.1]) is a listener on the IPv4 address.</summary>
    public static IPEndPoint? Unmapped(IPEndPoint? endPoint) =>
        endPoint is { Address.IsIPv4MappedToIPv6: true } ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
