using System.Globalization;
using Softnet.Admin.Contract;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Options;
using Softnet.Cli.Report;

namespace Softnet.Cli.Admin;

/// <summary><c>softnet dev list|set</c>: devices, their device-level threaded switch (sysfs <c>threaded</c>) and up/down state.</summary>
internal static class DevVerb
{
    public static VerbCommand Create(AdminVerb verb)
    {
        var stdout = verb.Stdout;
        var json = Knob.Flag("--json", "the server's JSON instead of the table");
        verb.Sub("list", "every device", parse => parse.GetValue(json)
            ? async client =>
            {
                stdout.WriteLine(await client.GetTextAsync("dev"));
                return AdminExitCodes.Ok;
            }
        : async client => Write(stdout, await client.GetAsync("dev", AdminJsonContext.Default.IReadOnlyListDeviceInfo)), json);

        var ifName = Knob.Word("IFNAME");
        var threaded = NapiVerb.Threaded("for every NAPI of the device");
        var state = Knob.OptionalChoice("--state", "STATE", ["up", "down"], text => text is "up" or "down", "the link state (ip link set up|down)");
        verb.Sub("set", "change a device's threaded mode or link state", parse =>
        {
            string name = parse.GetValue(ifName)!;
            var request = new DeviceSetRequest { Threaded = parse.GetValue(threaded), State = parse.GetValue(state) };
            if (request is { Threaded: null, State: null })
                throw new UsageException("dev set needs --threaded or --state");
            return async client => Write(stdout, [await client.PostAsync($"dev/{Uri.EscapeDataString(name)}", request, AdminJsonContext.Default.DeviceSetRequest, AdminJsonContext.Default.DeviceInfo)]);
        }, ifName, threaded, state);
        return verb.Done();
    }

    internal static int Write(TextWriter stdout, IEnumerable<DeviceInfo> devices)
    {
        var table = new TextTable("ifindex", "ifname", "threaded", "rx", "max", "napis", "policy", "overload", "state");
        foreach (var d in devices)
        {
            table.Add(
                d.IfIndex.ToString(CultureInfo.InvariantCulture),
                d.IfName,
                d.Threaded,
                d.Channels.Rx.ToString(CultureInfo.InvariantCulture),
                d.Channels.Max.ToString(CultureInfo.InvariantCulture),
                d.Napis.Count == 0 ? "-" : string.Join(',', d.Napis),
                NapiVerb.Policy(d.SchedPolicy, d.SchedPriority),
                d.Overload?.State ?? "-",
                d.State);
        }
        table.Write(stdout);
        return AdminExitCodes.Ok;
    }
}
