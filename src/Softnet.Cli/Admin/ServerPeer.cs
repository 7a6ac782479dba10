using System.Globalization;
using System.Net.Sockets;

namespace Softnet.Cli.Admin;

/// <summary>
/// What the connection itself says about the process listening on the admin socket (SO_PEERCRED: its pid and uid
/// when it called listen). A server of another user on the default path is not ours — someone may have put it
/// there to answer with made-up numbers — and a stopped process (SIGSTOP, a debugger) still accepts connections
/// into the backlog but will not answer: both are reported at once instead of trusted or waited for.
/// </summary>
internal sealed class ServerPeerException(string message) : Exception(message)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <param name="socket">A connected Unix socket.</param>
    /// <param name="requireOwnUid">The path was not given explicitly: the server must run as this user.</param>
    public static void Check(Socket socket, bool requireOwnUid)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> credentials = stackalloc byte[12];
        if (socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) < 12)
            return;
        int pid = BitConverter.ToInt32(credentials);
        uint uid = BitConverter.ToUInt32(credentials[4..]);
        uint euid = Libc.GetEuid();
        if (requireOwnUid && uid != euid)
            throw new ServerPeerException($"the server on the default socket runs as uid {uid} (pid {pid}), not as uid {euid}; not trusting it (pass --admin PATH to talk to another user's server)");
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another pid namespace, or no procfs: the answer timeout still bounds the wait.
            return;
        }
        // "pid (comm) S ...": the state follows the last parenthesis, since comm may contain any character.
        int close = stat.LastIndexOf(')');
        if (close > 0 && close + 2 < stat.Length && stat[close + 2] is 'T' or 't')
            throw new ServerPeerException($"the softnet server (pid {pid}) is stopped (SIGSTOP or a debugger); it will not answer until continued");
    }
}
