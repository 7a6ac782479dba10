using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Softnet.Admin.Interop;

namespace Softnet.Admin;

/// <summary>
/// An admin socket path: a safe directory (<see cref="AdminDirectory"/>), no stale socket in the way of the bind —
/// and nothing else ever removed — and a socket that is owner-only from the moment it exists.
/// </summary>
internal static class SocketFile
{
    /// <summary>sockaddr_un's sun_path holds 108 bytes, the terminating NUL included.</summary>
    private const int MaxPathBytes = 107;

    /// <summary>Clears group and other bits, and the owner's execute bit, of the socket bind creates: 0600.</summary>
    private const uint BindUmask = 0x7F; // 0177

    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Readies <paramref name="path"/> for <see cref="Bind"/>; <paramref name="ownerOnlyDirectory"/> for the per-user default directory.</summary>
    public static void Prepare(string path, bool ownerOnlyDirectory)
    {
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
            throw new ArgumentException($"admin socket path is longer than {MaxPathBytes} bytes: {path}");
        AdminDirectory.Secure(Path.GetDirectoryName(path)!, ownerOnlyDirectory);
        if (!FileSystem.TryStat(FileSystem.AtFdCwd, path, FileSystem.AtSymlinkNoFollow, out var existing))
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == FileSystem.ENOENT)
                return;
            throw new AdminSetupException($"admin socket {path}: statx: {Errno.Describe(errno)}");
        }
        if (!existing.IsSocket)
            throw new AdminSetupException($"admin socket {path}: a file that is not a socket is in the way (mode {existing.Octal}, owner uid {existing.Owner}); it is left alone, remove it or choose another --admin path");
        switch (Probe(path))
        {
            case SocketError.Success:
                throw new AdminSetupException($"another softnet admin server is listening on {path}; stop it or choose another --admin path");
            case SocketError.ConnectionRefused:
                // Stale: bound by a process that is gone. Nobody accepts on it, so removing it takes nothing from anyone.
                try
                {
                    File.Delete(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new AdminSetupException($"admin socket {path}: cannot remove the stale socket (owner uid {existing.Owner}): {e.Message}", e);
                }
                break;
            case var error:
                throw new AdminSetupException($"admin socket {path} belongs to uid {existing.Owner} (mode {existing.Octal}) and cannot be probed ({error}); it is left alone, choose another --admin path");
        }
    }

    /// <summary>
    /// Binds and listens on <paramref name="path"/>. The socket's file gets its mode from the umask at bind time; setting
    /// 0177 for the bind makes it 0600 as it appears, with no window in which another user could connect before a
    /// chmod. The umask is process-wide, so it is held for the bind call only and restored at once.
    /// </summary>
    public static int Bind(string path)
    {
        uint saved = FileSystem.Umask(BindUmask);
        int fd = UnixSockets.BindAndListen(path, 512);
        int errno = Marshal.GetLastPInvokeError();
        FileSystem.Umask(saved);
        if (fd < 0)
            throw new AdminSetupException($"admin socket {path}: bind: {Errno.Describe(errno)}");
        return fd;
    }

    /// <summary>Whether a server accepts connections on the socket (a stale file from a crashed process refuses them).</summary>
    private static SocketError Probe(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }
}
