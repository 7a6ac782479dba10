using Softnet.Admin.Contract;
using Softnet.Admin.Http;
using Softnet.Core;

namespace Softnet.Admin.Endpoints;

/// <summary>The netdev family's view of a stack: which NAPIs are visible, in what order, and how they are reported.</summary>
internal static class Netdev
{
    /// <summary>
    /// The napi-get dump: devices by ifindex, each one's NAPIs by descending id as the kernel walks its list. NAPIs of
    /// a device that is down and NAPIs without an id yet are invisible, as in the kernel.
    /// </summary>
    public static IEnumerable<Napi> Napis(NetStack stack, int? ifindex = null) =>
        stack.Devices
            .Where(d => d.IsUp && (ifindex is null || d.IfIndex == ifindex))
            .OrderBy(d => d.IfIndex)
            .SelectMany(d => d.Napis.Where(n => n.Id != 0).OrderByDescending(n => n.Id));

    public static Napi FindNapi(NetStack stack, int id) =>
        Napis(stack).FirstOrDefault(n => n.Id == id) ?? throw AdminProblem.NotFound($"no NAPI with id {id}");

    public static NetDevice FindDevice(NetStack stack, string ifname) =>
        stack.FindDevice(ifname) ?? throw AdminProblem.NotFound($"no device named '{ifname}'");

    public static NapiInfo Describe(Napi napi)
    {
        var policy = napi.PollerPolicy;
        return new(
            napi.Id,
            napi.Device?.IfIndex ?? 0,
            napi.Index,
            napi.ThreadId,
            napi.DeferHardIrqs,
            napi.GroFlushTimeoutNs,
            napi.Threaded.Name(),
            policy?.Policy,
            policy?.Priority,
            Overloads.Describe(napi.Overload, cpu: false),
            napi.IrqSuspendTimeoutNs);
    }

    public static DeviceInfo Describe(NetDevice device) => new(
        device.IfIndex,
        device.Name,
        device.Threaded.Name(),
        new ChannelsInfo(device.RxQueues.Count, device.MaxChannels),
        device.Napis.Where(n => n.Id != 0).OrderByDescending(n => n.Id).Select(n => n.Id).ToArray(),
        device.Stack.PacketThreadPolicy.Policy,
        device.Stack.PacketThreadPolicy.Priority,
        Overloads.Device(device) is { } overload ? Overloads.Describe(overload, cpu: false) : null,
        device.IsUp ? "up" : "down");
}
