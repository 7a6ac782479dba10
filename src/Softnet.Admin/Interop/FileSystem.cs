using System.Runtime.InteropServices;

namespace Softnet.Admin.Interop;

/// <summary>The file calls the admin endpoint needs without following links: open, mkdir, statx, fchmod, umask.</summary>
internal static partial class FileSystem
{
    internal const int ENOENT = 2;
    internal const int EEXIST = 17;
    internal const int ENOTDIR = 20;
    internal const int ELOOP = 40;

    internal const int AtFdCwd = -100;
    internal const int AtSymlinkNoFollow = 0x100;
    internal const int AtEmptyPath = 0x1000;

    internal const uint StatxType = 0x1;
    internal const uint StatxMode = 0x2;
    internal const uint StatxUid = 0x8;

    internal const uint SIfMt = 0xF000;
    internal const uint SIfSock = 0xC000;
    internal const uint SIfLnk = 0xA000;

    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;

    /// <summary>O_DIRECTORY | O_NOFOLLOW: the architectures number them differently (arm64 has its own fcntl.h).</summary>
    private static int DirectoryNoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm
        ? 0x4000 | 0x8000
        : 0x10000 | 0x20000;

    /// <summary>Opens a directory itself, never what a symbolic link in its place points to. Returns -1 and sets errno on failure.</summary>
    internal static int OpenDirectoryNoFollow(string path) => Open(path, ORdOnly | OCloExec | DirectoryNoFollow);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MkDir(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int FChMod(int fd, uint mode);

    /// <summary>umask(2): cannot fail; returns the previous mask.</summary>
    [LibraryImport("libc", EntryPoint = "umask")]
    internal static partial uint Umask(uint mask);

    /// <summary>statx(2): its layout is the same on every architecture, unlike struct stat.</summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatX(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Type, mode and owner of <paramref name="path"/> relative to <paramref name="dirfd"/> ("" with AT_EMPTY_PATH: the descriptor itself).</summary>
    internal static unsafe bool TryStat(int dirfd, string path, int flags, out FileStatus status)
    {
        // struct statx is 256 bytes: stx_uid at 20, stx_mode (16 bits) at 28.
        byte* buffer = stackalloc byte[256];
        if (StatX(dirfd, path, flags, StatxType | StatxMode | StatxUid, buffer) != 0)
        {
            status = default;
            return false;
        }
        status = new FileStatus(*(uint*)(buffer + 20), *(ushort*)(buffer + 28));
        return true;
    }
}
