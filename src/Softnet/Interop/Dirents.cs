using System.Runtime.InteropServices;

namespace Softnet.Interop;

internal static unsafe partial class Libc
{
    internal const int O_RDONLY = 0;
    internal const int O_CLOEXEC = 0x80000;

    /// <summary>Offset of <c>d_reclen</c> (a ushort) in a <c>struct linux_dirent64</c>, after <c>d_ino</c> and <c>d_off</c>.</summary>
    internal const int DirentRecLen = 16;

    /// <summary>Offset of <c>d_name</c> (NUL-terminated) in a <c>struct linux_dirent64</c>, after <c>d_reclen</c> and <c>d_type</c>.</summary>
    internal const int DirentName = 19;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    internal static partial int Open(byte* path, int flags);

    /// <summary>Directory entries as <c>struct linux_dirent64</c> records (glibc 2.30+); 0 at the end, -1 on error.</summary>
    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    internal static partial nint GetDents64(int fd, byte* buffer, nuint count);
}
