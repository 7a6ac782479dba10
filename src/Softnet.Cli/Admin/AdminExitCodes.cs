using Softnet.Cli.Commands;

namespace Softnet.Cli.Admin;

/// <summary>What the admin verbs return: the CLI's own codes, plus one so scripts can tell a missing server from a refusal.</summary>
internal static class AdminExitCodes
{
    public const int Ok = ExitCodes.Ok;

    /// <summary>The server refused the request; its message was printed.</summary>
    public const int Refused = ExitCodes.Failure;

    public const int Usage = ExitCodes.Usage;

    /// <summary>Nothing listens on the admin socket.</summary>
    public const int NoServer = 3;
}
