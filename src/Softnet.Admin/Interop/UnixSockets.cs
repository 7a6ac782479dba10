using System.Runtime.InteropServices;
using System.Text;

namespace Softnet.Admin.Interop;

/// <summary>
/// socket, bind and listen for the admin's Unix socket, called directly: a .NET <c>Socket</c> unlinks the path it
/// bound when it is disposed, and the listening descriptor is handed over to Kestrel instead.
/// </summary>
internal static unsafe partial class UnixSockets
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloExec = 0x80000;
    private const int SunPathBytes = 108;

    /// <summary>Returns the listening descriptor, or -1 with errno set.</summary>
    internal static int BindAndListen(string path, int backlog)
    {
        int fd = Socket(AfUnix, SockStream | SockCloExec, 0);
        if (fd < 0)
            return -1;
        byte* address = stackalloc byte[2 + SunPathBytes];
        new Span<byte>(address, 2 + SunPathBytes).Clear();
        *(ushort*)address = AfUnix;
        int length = Encoding.UTF8.GetBytes(path, new Span<byte>(address + 2, SunPathBytes - 1));
        if (Bind(fd, address, 2 + length + 1) != 0 || Listen(fd, backlog) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            FileSystem.Close(fd);
            Marshal.SetLastPInvokeError(errno);
            return -1;
        }
        return fd;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    private static partial int Listen(int fd, int backlog);
}
