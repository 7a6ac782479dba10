using Softnet.Cli.CommandLine;
using Softnet.Cli.Commands;

namespace Softnet.Cli.Admin;

/// <summary>
/// The client verbs of the admin server — <c>napi</c>, <c>dev</c>, <c>channels</c>, <c>cpu</c>, <c>stat</c> — over
/// its Unix socket (<c>--admin PATH</c>, or the default path the server uses too), or its HTTP listener
/// (<c>--admin-http ADDR:PORT</c>, with the token from <c>--admin-token-file</c> or beside the socket). The command
/// line is checked in full before anything connects, so a usage error is one with or without a server. Exit codes:
/// 0 ok, 1 refused by the server (its message is printed), 2 usage error, 3 no server.
/// </summary>
internal static class AdminVerbs
{
    /// <summary>Runs <c>softnet VERB ARGS…</c>; returns the exit code.</summary>
    public static Task<int> RunAsync(string verb, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Dispatcher.RunAsync([verb, .. args], stdout, stderr);
    }

    internal const string ExitCodes = "0 ok, 1 refused by the server (its message is printed), 2 usage error, 3 no server at the socket or address";

    internal static IEnumerable<VerbCommand> Create(TextWriter stdout, TextWriter stderr)
    {
        yield return NapiVerb.Create(new AdminVerb("napi", "NAPI instances: list, get or change their settings (netlink napi-get, napi-set)", stdout, stderr));
        yield return DevVerb.Create(new AdminVerb("dev", "devices: list, or set the threaded mode and link state", stdout, stderr));
        yield return ChannelsVerb.Create(new AdminVerb("channels", "change a device's RX queue count (ethtool -L)", stdout, stderr));
        yield return CpuVerb.Create(new AdminVerb("cpu", "the stack's CPUs: list, or take one offline or online (CPU hotplug)", stdout, stderr));
        yield return StatVerb.Create(new AdminVerb("stat", "softnet_stat, or per-CPU rates with --watch", stdout, stderr));
    }
}
