using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
        var listen = EmbeddedKestrel.Unmapped(endPoint)!;
        var app = EmbeddedKestrel.Build(kestrel => kestrel.Listen(listen));
        app.Use(ProblemMiddleware.Invoke);
        app.Use(OnlyMetrics);
        app.MapGet("/metrics", context =>
        {
            context.Response.ContentType = PrometheusText.ContentType;
            return context.Response.WriteAsync(PrometheusText.Format(stack));
        });
        await EmbeddedKestrel.StartAsync(app, "metrics HTTP");
        var bound = EmbeddedKestrel.BoundTcp(app)[0];
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
