using Softnet.Admin;
using Softnet.Cli.Options;

namespace Softnet.Cli.Admin;

/// <summary>
/// The client verbs of the admin server — <c>napi</c>, <c>dev</c>, <c>channels</c>, <c>cpu</c>, <c>stat</c> — over
/// its Unix socket (<c>--admin PATH</c> anywhere on the line, or the default path the server uses too). Exit codes:
/// 0 ok, 1 refused by the server (its message is printed), 2 usage error, 3 no server.
/// </summary>
public static class AdminVerbs
{
    /// <summary>The verbs <see cref="RunAsync"/> handles.</summary>
    public static IReadOnlyList<string> Verbs { get; } = ["napi", "dev", "channels", "cpu", "stat"];

    public static async Task<int> RunAsync(string verb, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        string usage = UsageOf(verb);
        if (args.Any(a => a is "--help" or "-h"))
        {
            stdout.WriteLine(usage);
            return AdminExitCodes.Ok;
        }
        try
        {
            var (socketPath, rest) = TakeAdminPath(args);
            using var client = new AdminClient(socketPath ?? AdminPaths.DefaultSocketPath());
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
        catch (RefusedException e)
        {
            stderr.WriteLine($"softnet {verb}: {e.Message} ({e.Errno})");
            return AdminExitCodes.Refused;
        }
    }

    /// <summary>Removes <c>--admin PATH</c> (or <c>--admin=PATH</c>), which every verb takes, wherever it stands.</summary>
    private static (string? Path, string[] Others) TakeAdminPath(string[] args)
    {
        string? path = null;
        var rest = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--admin")
                path = i + 1 < args.Length ? args[++i] : throw new UsageException("--admin needs a value");
            else if (args[i].StartsWith("--admin=", StringComparison.Ordinal))
                path = args[i]["--admin=".Length..];
            else
                rest.Add(args[i]);
        }
        return (path is "" ? throw new UsageException("--admin needs a value") : path, [.. rest]);
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
