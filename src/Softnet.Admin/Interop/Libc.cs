using System.Runtime.InteropServices;

namespace Softnet.Admin.Interop;

internal static partial class Libc
{
    /// <summary>getuid(2): cannot fail.</summary>
    [LibraryImport("libc", EntryPoint = "getuid")]
    internal static partial uint GetUid();
}
