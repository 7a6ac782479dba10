using System.Net.Sockets;
using System.Text;

namespace Softnet.Admin;

/// <summary>Prepares an admin socket path: an owner-only directory, and no stale socket in the way of the bind.</summary>
internal static class SocketFile
{
    /// <summary>sockaddr_un's sun_path holds 108 bytes, the terminating NUL included.</summary>
    private const int MaxPathBytes = 107;

    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Prepare(string path)
    {
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
            throw new ArgumentException($"admin socket path is longer than {MaxPathBytes} bytes: {path}");
        string directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
            Directory.CreateDirectory(directory, AdminPaths.DirectoryMode);
        else if (directory == AdminPaths.DefaultDirectory())
            // A default directory left wider by someone else would let other users reach the socket; fails if it is not ours.
            File.SetUnixFileMode(directory, AdminPaths.DirectoryMode);
        if (!File.Exists(path))
            return;
        if (Answers(path))
            throw new IOException($"another softnet admin server is listening on {path}; stop it or choose another --admin path");
        File.Delete(path);
    }

    /// <summary>Whether a server accepts connections on the socket (a stale file from a crashed process refuses them).</summary>
    private static bool Answers(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }
}
