using System.Net;
using Softnet.Admin;

namespace Softnet.Cli.Admin;

/// <summary>
/// Which server a verb talks to, from the options every verb accepts (<see cref="AdminTargetKnobs"/>): <c>--admin PATH</c>
/// (the Unix socket; default the per-user path), or <c>--admin-http ADDR:PORT</c> with the token from
/// <c>--admin-token-file PATH</c> or, by default, the token file the server wrote beside its socket.
/// </summary>
internal sealed record AdminTarget(string? SocketPath, IPEndPoint? Http, string? TokenFile)
{
    /// <summary>A client for the target; reading the token can fail with <see cref="AdminSetupException"/>.</summary>
    public AdminClient Connect()
    {
        string socket = SocketPath ?? AdminPaths.DefaultSocketPath();
        if (Http is null)
            return new AdminClient(socket, requireOwnUid: SocketPath is null);
        return new AdminClient(Http, AdminToken.Read(TokenFile ?? AdminToken.PathBeside(socket)));
    }
}
