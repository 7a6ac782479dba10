using System.Runtime.InteropServices;

namespace Softnet.Admin.Interop;

internal static partial class Libc
{
    /// <summary>getuid(2): cannot fail.</summary>
    [LibraryImport("libc", EntryPoint = "getuid")]
    internal static partial uint GetUid();

    /// <summary>geteuid(2): the identity files are created and checked against; cannot fail.</summary>
    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEuid();
}
