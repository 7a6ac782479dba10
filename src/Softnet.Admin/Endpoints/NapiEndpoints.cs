using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Softnet.Admin.Contract;
using Softnet.Admin.Http;
using Softnet.Core;

namespace Softnet.Admin.Endpoints;

/// <summary>napi-get (dump and do) and napi-set.</summary>
internal static class NapiEndpoints
{
    private static readonly string[] SetAttributes = ["threaded", NapiConfigRanges.DeferHardIrqs.Name, NapiConfigRanges.GroFlushTimeoutNs.Name, NapiConfigRanges.IrqSuspendTimeoutNs.Name];

    public static void MapNapi(this IEndpointRouteBuilder routes, NetStack stack)
    {
        routes.MapGet("/napi", context =>
        {
            int? ifindex = context.Request.Query.TryGetValue("ifindex", out var raw) ? Route.Int(raw, "ifindex") : null;
            IReadOnlyList<NapiInfo> napis = Netdev.Napis(stack, ifindex).Select(Netdev.Describe).ToArray();
            return context.Response.WriteAsJsonAsync(napis, ServerJson.Context.IReadOnlyListNapiInfo);
        });
        routes.MapGet("/napi/{id}", context =>
        {
            var napi = Netdev.FindNapi(stack, Route.Int(context, "id"));
            return context.Response.WriteAsJsonAsync(Netdev.Describe(napi), ServerJson.Context.NapiInfo);
        });
        routes.MapPost("/napi/{id}", async context =>
        {
            int id = Route.Int(context, "id");
            using var body = await RequestBody.ReadAsync(context, "napi-set", SetAttributes);
            var threaded = body.Threaded();
            var defer = body.Integer(NapiConfigRanges.DeferHardIrqs);
            var gro = body.Integer(NapiConfigRanges.GroFlushTimeoutNs);
            var suspend = body.Integer(NapiConfigRanges.IrqSuspendTimeoutNs);
            var napi = Netdev.FindNapi(stack, id);
            try
            {
                napi.Device!.SetNapi(napi, threaded, (int?)defer, gro, suspend);
            }
            catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
            {
                // The queue was removed between the lookup and the set.
                throw AdminProblem.NotFound($"no NAPI with id {id}");
            }
            await context.Response.WriteAsJsonAsync(Netdev.Describe(napi), ServerJson.Context.NapiInfo);
        });
    }
}
