using Softnet.Admin.Contract;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Options;

namespace Softnet.Cli.Admin;

/// <summary><c>softnet channels set IFNAME --rx K</c>: <c>ethtool -L IFNAME rx K</c>.</summary>
internal static class ChannelsVerb
{
    public static VerbCommand Create(AdminVerb verb)
    {
        var ifName = Knob.Word("IFNAME");
        var rx = Knob.AnyInt64("--rx", "K", "RX queues the device should have (the server checks 1..max)");
        rx.Required = true;
        verb.Sub("set", "change a device's RX queue count", parse =>
        {
            string name = parse.GetValue(ifName)!;
            var request = new ChannelsSetRequest(parse.GetValue(rx) ?? throw new UsageException("channels set needs --rx"));
            return async client => DevVerb.Write(verb.Stdout, [await client.PostAsync($"dev/{Uri.EscapeDataString(name)}/channels", request, AdminJsonContext.Default.ChannelsSetRequest, AdminJsonContext.Default.DeviceInfo)]);
        }, ifName, rx);
        return verb.Done();
    }
}
