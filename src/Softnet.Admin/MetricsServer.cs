using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Softnet.Admin.Endpoints;
using Softnet.Admin.Http;
using Softnet.Core;

namespace Softnet.Admin;

/// <summary>
/// A read-only HTTP listener for scrapers: <c>GET /metrics</c> (Prometheus text) and nothing else, without a token.
/// It is a server of its own, apart from the admin control plane, so it may bind any address and runs with or
/// without an <see cref="AdminServer"/>.
/// </summary>
public sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private MetricsServer(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    /// <summary>The bound address (with the real port when port 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Binds <paramref name="endPoint"/> and serves <paramref name="stack"/>'s counters; an address in use fails with <see cref="IOException"/>.</summary>
    public static async Task<MetricsServer> StartAsync(NetStack stack, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(endPoint);
        // A TCP listener on an IPv4-mapped address ([::ffff:127.0.0.1]) is a listener on the IPv4 address.
        if (endPoint.Address.IsIPv4MappedToIPv6)
            endPoint = new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port);
        var builder = WebApplication.CreateSlimBuilder();
        // The embedding application's appsettings and ASPNETCORE_* variables are not ours to obey.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Listen(endPoint);
        });
        var app = builder.Build();
        app.Use(ProblemMiddleware.Invoke);
        app.Use(OnlyMetrics);
        app.MapGet("/metrics", context =>
        {
            context.Response.ContentType = PrometheusText.ContentType;
            return context.Response.WriteAsync(PrometheusText.Format(stack));
        });
        try
        {
            await app.StartAsync();
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            if (e is SocketException s)
                throw new IOException($"metrics HTTP: {s.Message}", e);
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a))
            .Select(u => IPEndPoint.Parse($"{u.Host}:{u.Port}"))
            .First();
        return new MetricsServer(app, bound);
    }

    /// <summary>Stops serving and waits for requests in progress.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static Task OnlyMetrics(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path != "/metrics")
            throw AdminProblem.NotFound($"the metrics listener serves only GET /metrics (got {context.Request.Method} {context.Request.Path})");
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            throw new AdminProblem(StatusCodes.Status405MethodNotAllowed, "EOPNOTSUPP", $"the metrics listener serves only GET /metrics (got {context.Request.Method})");
        return next(context);
    }
}
