using System.Globalization;
using System.Net.Sockets;

namespace Softnet.Cli.Admin;

/// <summary>
/// A server process that is stopped (SIGSTOP, a debugger) still has its socket accept connections into the
/// backlog, and would leave a client waiting for its timeout. The listener's pid comes with the connection
/// (SO_PEERCRED), and its state is in /proc: a stopped server is reported at once.
/// </summary>
internal sealed class StoppedServerException(int pid) : Exception($"the softnet server (pid {pid}) is stopped (SIGSTOP or a debugger); it will not answer until continued")
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Throws when the process listening on <paramref name="socket"/> is in a stopped state.</summary>
    public static void ThrowIfStopped(Socket socket)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> credentials = stackalloc byte[12];
        if (socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) < 4)
            return;
        int pid = BitConverter.ToInt32(credentials);
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
            throw new StoppedServerException(pid);
    }
}
