using Softnet.Admin.Interop;

namespace Softnet.Admin;

/// <summary>
/// Where the admin socket lives when no path is given, computed the same way by the server and by every client:
/// <c>$XDG_RUNTIME_DIR/softnet/&lt;name&gt;.sock</c>, or <c>/tmp/softnet-$UID/&lt;name&gt;.sock</c> without a runtime dir.
/// </summary>
public static class AdminPaths
{
    /// <summary>The instance name when none is given: the socket is <c>softnet.sock</c>.</summary>
    public const string DefaultName = "softnet";

    /// <summary>Owner-only: anyone who can connect can reconfigure the stack.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The per-user directory that holds the default sockets.</summary>
    public static string DefaultDirectory() =>
        Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime
            ? Path.Combine(runtime, "softnet")
            : Path.Combine("/tmp", $"softnet-{Libc.GetUid()}");

    /// <summary>The socket of the server called <paramref name="name"/> (several stacks may run side by side).</summary>
    public static string DefaultSocketPath(string name = DefaultName)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name is "." or "..")
            throw new ArgumentException($"admin server name must be a plain file name (got '{name}')", nameof(name));
        return Path.Combine(DefaultDirectory(), name + ".sock");
    }
}
