using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Softnet.Admin.Contract;
using Softnet.Admin.Http;
using Softnet.Core;

namespace Softnet.Admin.Endpoints;

/// <summary>Devices: listing, the device-level threaded switch (sysfs <c>threaded</c>), up/down (<c>ip link set</c>) and channel counts (<c>ethtool -L</c>).</summary>
internal static class DeviceEndpoints
{
    public static void MapDevices(this IEndpointRouteBuilder routes, NetStack stack)
    {
        routes.MapGet("/dev", context =>
        {
            IReadOnlyList<DeviceInfo> devices = stack.Devices.OrderBy(d => d.IfIndex).Select(Netdev.Describe).ToArray();
            return context.Response.WriteAsJsonAsync(devices, ServerJson.Context.IReadOnlyListDeviceInfo);
        });
        routes.MapGet("/dev/{ifname}", context =>
        {
            var device = Netdev.FindDevice(stack, Route.Value(context, "ifname"));
            return context.Response.WriteAsJsonAsync(Netdev.Describe(device), ServerJson.Context.DeviceInfo);
        });
        routes.MapPost("/dev/{ifname}", async context =>
        {
            var device = Netdev.FindDevice(stack, Route.Value(context, "ifname"));
            using var body = await RequestBody.ReadAsync(context, "dev-set", "threaded", "state");
            var mode = body.Threaded();
            bool? up = body.State();
            if (mode is null && up is null)
                throw AdminProblem.Invalid("dev-set: the attribute threaded or state is required");
            try
            {
                // Up before the mode is applied, down after: the mode always reaches live NAPIs or their configs.
                if (up == true)
                    device.SetUp();
                if (mode is { } m)
                    device.SetThreaded(m);
                if (up == false)
                    device.SetDown();
            }
            catch (NotSupportedException e)
            {
                throw AdminProblem.NotSupported(e.Message);
            }
            await context.Response.WriteAsJsonAsync(Netdev.Describe(device), ServerJson.Context.DeviceInfo);
        });
        routes.MapPost("/dev/{ifname}/channels", async context =>
        {
            var device = Netdev.FindDevice(stack, Route.Value(context, "ifname"));
            using var body = await RequestBody.ReadAsync(context, "channels-set", "rx");
            int rx = (int)body.Required(body.Integer("rx", 1, device.MaxChannels), "rx");
            try
            {
                device.SetChannels(rx);
            }
            catch (NotSupportedException e)
            {
                throw AdminProblem.NotSupported(e.Message);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw AdminProblem.Invalid(e.Message);
            }
            await context.Response.WriteAsJsonAsync(Netdev.Describe(device), ServerJson.Context.DeviceInfo);
        });
    }
}
