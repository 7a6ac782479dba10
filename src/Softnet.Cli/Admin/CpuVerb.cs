using Softnet.Admin.Contract;

namespace Softnet.Cli.Admin;

/// <summary><c>softnet cpu online|offline N</c>: CPU hotplug of one of the stack's logical CPUs.</summary>
internal static class CpuVerb
{
    public const string Usage = "usage: softnet cpu online|offline N";

    public static async Task<int> RunAsync(AdminClient client, VerbLine line, TextWriter stdout)
    {
        bool online = line.Subcommand switch
        {
            "online" => true,
            "offline" => false,
            var other => throw VerbLine.UnknownSubcommand(other),
        };
        line.ExpectWords(2);
        long cpu = line.Number(1, "N");
        if (line.Options.Next(out string name))
            throw VerbLine.UnknownOption(name);
        var stat = await client.PostAsync($"cpu/{cpu}", new CpuSetRequest(online), AdminJsonContext.Default.CpuSetRequest, AdminJsonContext.Default.CpuStatsInfo);
        stdout.WriteLine($"cpu {stat.Cpu}: {(stat.Online ? "online" : "offline")}");
        return AdminExitCodes.Ok;
    }
}
