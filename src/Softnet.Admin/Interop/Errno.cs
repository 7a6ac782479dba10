using System.Runtime.InteropServices;

namespace Softnet.Admin.Interop;

/// <summary>
/// The names of the errno values the admin's file and socket setup can meet, for its messages: an operator searches
/// for "EACCES", not for 13, and the strerror text alone is ambiguous across libc versions.
/// </summary>
internal static class Errno
{
    /// <summary>The symbolic name, e.g. "EACCES"; "errno N" for values this table does not know.</summary>
    internal static string Name(int errno) => errno switch
    {
        1 => "EPERM",
        2 => "ENOENT",
        13 => "EACCES",
        17 => "EEXIST",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        24 => "EMFILE",
        28 => "ENOSPC",
        30 => "EROFS",
        36 => "ENAMETOOLONG",
        40 => "ELOOP",
        98 => "EADDRINUSE",
        99 => "EADDRNOTAVAIL",
        _ => $"errno {errno}",
    };

    /// <summary>"EACCES (Permission denied)": the name to search for plus libc's explanation.</summary>
    internal static string Describe(int errno) => $"{Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";
}
