using System.Globalization;
using Softnet.Admin.Contract;
using Softnet.Cli.Options;

namespace Softnet.Cli.Admin;

/// <summary><c>softnet dev list|set</c>: devices, their device-level threaded switch (sysfs <c>threaded</c>) and up/down state.</summary>
internal static class DevVerb
{
    public const string Usage =
        """
        usage: softnet dev list [--json]
               softnet dev set IFNAME [--threaded disabled|enabled|busy-poll] [--state up|down]
        """;

    public static async Task<int> RunAsync(AdminClient client, VerbLine line, TextWriter stdout)
    {
        switch (line.Subcommand)
        {
            case "list":
                if (line.ListJson())
                    stdout.WriteLine(await client.GetTextAsync("dev"));
                else
                    Write(stdout, await client.GetAsync("dev", AdminJsonContext.Default.IReadOnlyListDeviceInfo));
                return AdminExitCodes.Ok;
            case "set":
                line.ExpectWords(2);
                var request = new DeviceSetRequest();
                while (line.Options.Next(out string name))
                {
                    request = name switch
                    {
                        "--threaded" => request with { Threaded = line.Options.Value() },
                        "--state" => request with { State = line.Options.Value() },
                        _ => throw VerbLine.UnknownOption(name),
                    };
                }
                if (request is { Threaded: null, State: null })
                    throw new UsageException("dev set needs --threaded or --state");
                var device = await client.PostAsync(
                    $"dev/{Uri.EscapeDataString(line.Words[1])}",
                    request,
                    AdminJsonContext.Default.DeviceSetRequest,
                    AdminJsonContext.Default.DeviceInfo);
                Write(stdout, [device]);
                return AdminExitCodes.Ok;
            default:
                throw VerbLine.UnknownSubcommand(line.Subcommand);
        }
    }

    internal static void Write(TextWriter stdout, IEnumerable<DeviceInfo> devices)
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
    }
}
