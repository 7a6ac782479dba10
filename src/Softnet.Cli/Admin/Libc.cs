using System.Runtime.InteropServices;

namespace Softnet.Cli.Admin;

/// <summary>The libc calls the client needs: its own effective uid, to compare with the server's SO_PEERCRED.</summary>
internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();
}
