using System.Runtime.InteropServices;
using Softnet.Admin.Interop;

namespace Softnet.Admin;

/// <summary>
/// The directory an admin socket is created in. Whoever can write to it can replace the socket with their own and
/// answer the CLI with made-up numbers, so it is checked on a descriptor opened without following links: never a
/// symbolic link, never writable by others. The per-user default directory must moreover belong to the effective uid
/// and is made 0700 through that descriptor, so a chmod cannot be redirected to a link's target.
/// </summary>
internal static class AdminDirectory
{
    public const uint OwnerOnly = 0x1C0; // 0700

    private const uint GroupOrOtherWrite = 0x12; // 0020 | 0002

    private const uint Sticky = 0x200; // 01000

    /// <summary>
    /// Creates <paramref name="directory"/> 0700 if missing, then checks it. <paramref name="ownerOnly"/>: it must belong
    /// to the effective uid and is made 0700 (the default directory); otherwise it may belong to anyone but must not
    /// let other users replace files in it (not writable by group or others, unless sticky, as /tmp).
    /// </summary>
    public static void Secure(string directory, bool ownerOnly)
    {
        bool created = Create(directory);
        int fd = FileSystem.OpenDirectoryNoFollow(directory);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is FileSystem.ELOOP or FileSystem.ENOTDIR)
                throw new AdminSetupException($"admin directory {directory} is {Describe(directory)}; it must be a real directory, not a link or a file");
            throw new AdminSetupException($"admin directory {directory}: open: {Errno.Describe(errno)}");
        }
        try
        {
            if (!FileSystem.TryStat(fd, "", FileSystem.AtEmptyPath, out var status))
                throw new AdminSetupException($"admin directory {directory}: statx: {Errno.Describe(Marshal.GetLastPInvokeError())}");
            uint euid = Libc.GetEuid();
            if (ownerOnly || created)
            {
                if (status.Owner != euid)
                    throw new AdminSetupException($"admin directory {directory} belongs to uid {status.Owner} (mode {status.Octal}), not to uid {euid} that runs this server; remove it or choose another --admin path");
                if (status.Permissions != OwnerOnly && FileSystem.FChMod(fd, OwnerOnly) != 0)
                    throw new AdminSetupException($"admin directory {directory}: fchmod 0700: {Errno.Describe(Marshal.GetLastPInvokeError())}");
            }
            else if ((status.Permissions & GroupOrOtherWrite) != 0 && (status.Permissions & Sticky) == 0)
            {
                throw new AdminSetupException($"admin directory {directory} (owner uid {status.Owner}, mode {status.Octal}) lets other users replace the socket; use a directory only its owner can write to");
            }
        }
        finally
        {
            FileSystem.Close(fd);
        }
    }

    /// <summary>mkdir 0700, parents too (each 0700); false when it already existed, whoever made it.</summary>
    private static bool Create(string directory)
    {
        if (FileSystem.MkDir(directory, OwnerOnly) == 0)
            return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == FileSystem.EEXIST)
            return false;
        if (errno == FileSystem.ENOENT && Path.GetDirectoryName(directory) is { } parent && parent != directory)
        {
            Create(parent);
            if (FileSystem.MkDir(directory, OwnerOnly) == 0)
                return true;
            errno = Marshal.GetLastPInvokeError();
            if (errno == FileSystem.EEXIST)
                return false;
        }
        throw new AdminSetupException($"admin directory {directory}: mkdir: {Errno.Describe(errno)}");
    }

    private static string Describe(string path) =>
        FileSystem.TryStat(FileSystem.AtFdCwd, path, FileSystem.AtSymlinkNoFollow, out var status)
            ? status.IsSymbolicLink ? "a symbolic link" : $"not a directory (mode {status.Octal}, owner uid {status.Owner})"
            : "not a directory";
}
