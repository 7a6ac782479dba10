using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Softnet.Admin.Http;
using Softnet.Core;

namespace Softnet.Admin.Endpoints;

/// <summary>CPU hotplug, as writing <c>/sys/devices/system/cpu/cpuN/online</c>.</summary>
internal static class CpuEndpoints
{
    public static void MapCpus(this IEndpointRouteBuilder routes, NetStack stack)
    {
        routes.MapPost("/cpu/{n}", async context =>
        {
            int cpu = Route.Int(context, "n");
            using var body = await RequestBody.ReadAsync(context, "cpu-set", "online");
            bool online = body.Required(body.Boolean("online"), "online");
            if (cpu >= stack.CpuCount)
                throw AdminProblem.NotFound($"no CPU {cpu}: the stack has CPUs 0 to {stack.CpuCount - 1}");
            try
            {
                if (online)
                    stack.SetCpuOnline(cpu);
                else
                    stack.SetCpuOffline(cpu);
            }
            catch (InvalidOperationException e)
            {
                throw AdminProblem.Busy(e.Message);
            }
            await StatsJson.WriteCpuAsync(context.Response, stack.Snapshot().Cpus[cpu]);
        });
    }
}
