using System.Net;
using Softnet.Admin;
using Softnet.Cli.Options;

namespace Softnet.Cli.Admin;

/// <summary>
/// Which server a verb talks to, taken from the options every verb accepts anywhere on its line: <c>--admin PATH</c>
/// (the Unix socket; default the per-user path), or <c>--admin-http ADDR:PORT</c> with the token from
/// <c>--admin-token-file PATH</c> or, by default, the token file the server wrote beside its socket.
/// </summary>
internal sealed record AdminTarget(string? SocketPath, IPEndPoint? Http, string? TokenFile)
{
    public const string OptionsUsage = "[--admin PATH | --admin-http ADDR:PORT [--admin-token-file PATH]]";

    public static (AdminTarget Target, string[] Others) Take(string[] args)
    {
        string? path = null;
        string? http = null;
        string? token = null;
        var rest = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            if (TakeValue(args, ref i, "--admin") is { } p)
                path = p;
            else if (TakeValue(args, ref i, "--admin-http") is { } h)
                http = h;
            else if (TakeValue(args, ref i, "--admin-token-file") is { } t)
                token = t;
            else
                rest.Add(args[i]);
        }
        IPEndPoint? endPoint = null;
        if (http is not null && !(IPEndPoint.TryParse(http, out endPoint) && endPoint.Port != 0 && http.LastIndexOf(':') > http.LastIndexOf(']')))
            throw new UsageException($"--admin-http must be ADDR:PORT such as 127.0.0.1:9100 or [::1]:9100 (got '{http}')");
        if (token is not null && http is null)
            throw new UsageException("--admin-token-file is for --admin-http; the Unix socket needs no token");
        return (new AdminTarget(path, endPoint, token), [.. rest]);
    }

    /// <summary>A client for the target; reading the token can fail with <see cref="AdminSetupException"/>.</summary>
    public AdminClient Connect()
    {
        string socket = SocketPath ?? AdminPaths.DefaultSocketPath();
        if (Http is null)
            return new AdminClient(socket, requireOwnUid: SocketPath is null);
        return new AdminClient(Http, AdminToken.Read(TokenFile ?? AdminToken.PathBeside(socket)));
    }

    private static string? TakeValue(string[] args, ref int i, string name)
    {
        string arg = args[i];
        if (arg == name)
        {
            if (i + 1 >= args.Length || args[i + 1].Length == 0)
                throw new UsageException($"{name} needs a value");
            return args[++i];
        }
        if (arg.StartsWith(name + "=", StringComparison.Ordinal))
            return arg.Length > name.Length + 1 ? arg[(name.Length + 1)..] : throw new UsageException($"{name} needs a value");
        return null;
    }
}
