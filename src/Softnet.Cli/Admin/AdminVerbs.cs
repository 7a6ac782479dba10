using Softnet.Admin;
using Softnet.Cli.Options;

namespace Softnet.Cli.Admin;

/// <summary>
/// The client verbs of the admin server — <c>napi</c>, <c>dev</c>, <c>channels</c>, <c>cpu</c>, <c>stat</c> — over
/// its Unix socket (<c>--admin PATH</c> anywhere on the line, or the default path the server uses too), or its HTTP
/// listener (<c>--admin-http ADDR:PORT</c>, with the token from <c>--admin-token-file</c> or beside the socket). Exit codes:
/// 0 ok, 1 refused by the server (its message is printed), 2 usage error, 3 no server.
/// </summary>
public static class AdminVerbs
{
    /// <summary>The verbs <see cref="RunAsync"/> handles.</summary>
    public static IReadOnlyList<string> Verbs { get; } = ["napi", "dev", "channels", "cpu", "stat"];

    public static async Task<int> RunAsync(string verb, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        string usage = UsageOf(verb) + Environment.NewLine + "every verb takes " + AdminTarget.OptionsUsage;
        if (args.Any(a => a is "--help" or "-h"))
        {
            stdout.WriteLine(usage);
            return AdminExitCodes.Ok;
        }
        try
        {
            var (target, rest) = AdminTarget.Take(args);
            using var client = target.Connect();
            var line = new VerbLine(rest);
            return verb switch
            {
                "napi" => await NapiVerb.RunAsync(client, line, stdout),
                "dev" => await DevVerb.RunAsync(client, line, stdout),
                "channels" => await ChannelsVerb.RunAsync(client, line, stdout),
                "cpu" => await CpuVerb.RunAsync(client, line, stdout),
                "stat" => await StatVerb.RunAsync(client, line, stdout),
                _ => throw new UsageException($"unknown verb '{verb}' (admin verbs: {string.Join(", ", Verbs)})"),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"softnet {verb}: {e.Message}");
            stderr.WriteLine(usage);
            return AdminExitCodes.Usage;
        }
        catch (NoServerException e)
        {
            stderr.WriteLine($"softnet {verb}: {e.Message}");
            return AdminExitCodes.NoServer;
        }
        catch (AdminSetupException e)
        {
            stderr.WriteLine($"softnet {verb}: {e.Message}");
            return AdminExitCodes.NoServer;
        }
        catch (RefusedException e)
        {
            stderr.WriteLine($"softnet {verb}: {e.Message} ({e.Errno})");
            return AdminExitCodes.Refused;
        }
    }

    private static string UsageOf(string verb) => verb switch
    {
        "napi" => NapiVerb.Usage,
        "dev" => DevVerb.Usage,
        "channels" => ChannelsVerb.Usage,
        "cpu" => CpuVerb.Usage,
        "stat" => StatVerb.Usage,
        _ => string.Join(Environment.NewLine, Verbs.Select(UsageOf)),
    };
}
