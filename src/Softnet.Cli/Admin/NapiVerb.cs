using System.Globalization;
using Softnet.Admin.Contract;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Options;
using Softnet.Cli.Report;
using Softnet.Core;

namespace Softnet.Cli.Admin;

/// <summary><c>softnet napi list|get|set</c>: netlink's napi-get (dump or one) and napi-set, as <c>ynl --family netdev</c> does them.</summary>
internal static class NapiVerb
{
    public static VerbCommand Create(AdminVerb verb)
    {
        var stdout = verb.Stdout;
        var listJson = Knob.Flag("--json", "the server's JSON instead of the table");
        verb.Sub("list", "every NAPI instance", parse => parse.GetValue(listJson)
            ? async client => Print(stdout, await client.GetTextAsync("napi"))
            : async client => Table(stdout, await client.GetAsync("napi", AdminJsonContext.Default.IReadOnlyListNapiInfo)), listJson);

        var getId = Knob.Number("ID");
        var getJson = Knob.Flag("--json", "the server's JSON instead of the table");
        verb.Sub("get", "one NAPI instance", parse =>
        {
            long id = parse.GetValue(getId);
            return parse.GetValue(getJson)
                ? async client => Print(stdout, await client.GetTextAsync($"napi/{id}"))
                : async client => Table(stdout, [await client.GetAsync($"napi/{id}", AdminJsonContext.Default.NapiInfo)]);
        }, getId, getJson);

        // The values' domains are the library's, the ones the server checks too: a value outside them is a usage error
        // before any server is asked. What only the server knows (the NAPI id) is its to refuse.
        var setId = Knob.Number("ID");
        var threaded = Threaded("the NAPI's threaded mode (netlink napi-set threaded)");
        var defer = Range("--defer-hard-irqs", "N", NapiConfigRanges.DeferHardIrqs, "napi_defer_hard_irqs");
        var gro = Range("--gro-flush-timeout", "NS", NapiConfigRanges.GroFlushTimeoutNs, "gro_flush_timeout in ns");
        var suspend = Range("--irq-suspend-timeout", "NS", NapiConfigRanges.IrqSuspendTimeoutNs, "irq-suspend-timeout in ns");
        verb.Sub("set", "change one NAPI instance's settings", parse =>
        {
            long id = parse.GetValue(setId);
            var request = new NapiSetRequest
            {
                Threaded = parse.GetValue(threaded),
                DeferHardIrqs = parse.GetValue(defer),
                GroFlushTimeout = parse.GetValue(gro),
                IrqSuspendTimeout = parse.GetValue(suspend),
            };
            if (request is { Threaded: null, DeferHardIrqs: null, GroFlushTimeout: null, IrqSuspendTimeout: null })
                throw new UsageException("napi set needs --threaded, --defer-hard-irqs, --gro-flush-timeout or --irq-suspend-timeout");
            return async client => Table(stdout, [await client.PostAsync($"napi/{id}", request, AdminJsonContext.Default.NapiSetRequest, AdminJsonContext.Default.NapiInfo)]);
        }, setId, threaded, defer, gro, suspend);
        return verb.Done();
    }

    /// <summary><c>--threaded MODE</c>: a mode by name (or netlink number), as the server parses it.</summary>
    internal static System.CommandLine.Option<string?> Threaded(string help) =>
        Knob.OptionalChoice("--threaded", "MODE", [.. Enum.GetValues<ThreadedMode>().Select(m => m.Name())], text => ThreadedModes.TryParse(text, out _), help);

    private static System.CommandLine.Option<long?> Range(string name, string valueName, NapiConfigRange range, string help) =>
        Knob.OptionalInt64(name, valueName, range.Min, range.Max, help, "unchanged");

    private static int Print(TextWriter stdout, string json)
    {
        stdout.WriteLine(json);
        return AdminExitCodes.Ok;
    }

    private static int Table(TextWriter stdout, IEnumerable<NapiInfo> napis)
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
        return AdminExitCodes.Ok;
    }

    /// <summary>As <c>chrt</c> shows it: the policy, and the priority when it has one ("fifo 50").</summary>
    internal static string Policy(string? policy, int? priority) =>
        policy is null ? "-" : priority is > 0 ? $"{policy} {Text(priority.Value)}" : policy;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
