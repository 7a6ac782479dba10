using Softnet.Admin.Contract;
using Softnet.Cli.Options;

namespace Softnet.Cli.Admin;

/// <summary><c>softnet channels set IFNAME --rx K</c>: <c>ethtool -L IFNAME rx K</c>.</summary>
internal static class ChannelsVerb
{
    public const string Usage = "usage: softnet channels set IFNAME --rx K";

    public static async Task<int> RunAsync(AdminClient client, VerbLine line, TextWriter stdout)
    {
        if (line.Subcommand != "set")
            throw VerbLine.UnknownSubcommand(line.Subcommand);
        line.ExpectWords(2);
        long? rx = null;
        while (line.Options.Next(out string name))
            rx = name == "--rx" ? line.Options.Integer(long.MinValue, long.MaxValue) : throw VerbLine.UnknownOption(name);
        var device = await client.PostAsync(
            $"dev/{Uri.EscapeDataString(line.Words[1])}/channels",
            new ChannelsSetRequest(rx ?? throw new UsageException("channels set needs --rx")),
            AdminJsonContext.Default.ChannelsSetRequest,
            AdminJsonContext.Default.DeviceInfo);
        DevVerb.Write(stdout, [device]);
        return AdminExitCodes.Ok;
    }
}
