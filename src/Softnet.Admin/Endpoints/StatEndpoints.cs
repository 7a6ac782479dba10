using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Softnet.Admin.Http;
using Softnet.Core;

namespace Softnet.Admin.Endpoints;

/// <summary>The counters three ways: the kernel's softnet_stat text, JSON, and Prometheus text for scrapers.</summary>
internal static class StatEndpoints
{
    public static void MapStats(this IEndpointRouteBuilder routes, NetStack stack)
    {
        routes.MapGet("/softnet_stat", context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(stack.SoftnetStat());
        });
        routes.MapGet("/stats", context => StatsJson.WriteStatsAsync(context.Response, stack.Snapshot()));
        routes.MapGet("/metrics", context =>
        {
            context.Response.ContentType = PrometheusText.ContentType;
            return context.Response.WriteAsync(PrometheusText.Format(stack));
        });
    }
}
