using System.Globalization;
using Softnet.Admin.Contract;
using Softnet.Cli.Options;

namespace Softnet.Cli.Admin;

/// <summary><c>softnet napi list|set</c>: netlink's napi-get dump and napi-set, as <c>ynl --family netdev</c> does them.</summary>
internal static class NapiVerb
{
    public const string Usage =
        """
        usage: softnet napi list [--json]
               softnet napi set ID [--threaded disabled|enabled|busy-poll] [--defer-hard-irqs N] [--gro-flush-timeout NS]
                     [--irq-suspend-timeout NS]
        """;

    public static async Task<int> RunAsync(AdminClient client, VerbLine line, TextWriter stdout)
    {
        switch (line.Subcommand)
        {
            case "list":
                if (line.ListJson())
                    stdout.WriteLine(await client.GetTextAsync("napi"));
                else
                    Write(stdout, await client.GetAsync("napi", AdminJsonContext.Default.IReadOnlyListNapiInfo));
                return AdminExitCodes.Ok;
            case "set":
                line.ExpectWords(2);
                long id = line.Number(1, "ID");
                var request = new NapiSetRequest();
                while (line.Options.Next(out string name))
                {
                    // Values are the server's to judge, so a refusal names the attribute and what it accepts.
                    request = name switch
                    {
                        "--threaded" => request with { Threaded = line.Options.Value() },
                        "--defer-hard-irqs" => request with { DeferHardIrqs = line.Options.Integer(long.MinValue, long.MaxValue) },
                        "--gro-flush-timeout" => request with { GroFlushTimeout = line.Options.Integer(long.MinValue, long.MaxValue) },
                        "--irq-suspend-timeout" => request with { IrqSuspendTimeout = line.Options.Integer(long.MinValue, long.MaxValue) },
                        _ => throw VerbLine.UnknownOption(name),
                    };
                }
                if (request is { Threaded: null, DeferHardIrqs: null, GroFlushTimeout: null, IrqSuspendTimeout: null })
                    throw new UsageException("napi set needs --threaded, --defer-hard-irqs, --gro-flush-timeout or --irq-suspend-timeout");
                var napi = await client.PostAsync($"napi/{id}", request, AdminJsonContext.Default.NapiSetRequest, AdminJsonContext.Default.NapiInfo);
                Write(stdout, [napi]);
                return AdminExitCodes.Ok;
            default:
                throw VerbLine.UnknownSubcommand(line.Subcommand);
        }
    }

    private static void Write(TextWriter stdout, IEnumerable<NapiInfo> napis)
    {
        var table = new TextTable("id", "ifindex", "irq", "pid", "threaded", "defer-hard-irqs", "gro-flush-timeout", "irq-suspend-timeout", "policy", "overload");
        foreach (var n in napis)
        {
            table.Add(
                Text(n.Id),
                Text(n.IfIndex),
                Text(n.Irq),
                n.Pid is { } pid ? Text(pid) : "-",
                n.Threaded,
                Text(n.DeferHardIrqs),
                Text(n.GroFlushTimeout),
                Text(n.IrqSuspendTimeout),
                Policy(n.SchedPolicy, n.SchedPriority),
                n.Overload?.State ?? "-");
        }
        table.Write(stdout);
    }

    /// <summary>As <c>chrt</c> shows it: the policy, and the priority when it has one ("fifo 50").</summary>
    internal static string Policy(string? policy, int? priority) =>
        policy is null ? "-" : priority is > 0 ? $"{policy} {Text(priority.Value)}" : policy;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
