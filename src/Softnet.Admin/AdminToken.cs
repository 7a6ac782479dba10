using System.Security.Cryptography;
using System.Text;
using Softnet.Admin.Interop;

namespace Softnet.Admin;

/// <summary>
/// The bearer token every request on the HTTP listener must carry. Read from a file the operator names, or
/// generated at start (256 random bits) into a 0600 file beside the Unix socket, where the CLI verbs look for it.
/// </summary>
public static class AdminToken
{
    private const uint GroupOrOtherAccess = 0x3F; // 0077

    /// <summary>Where the server writes, and the CLI looks for, the token of the socket at <paramref name="socketPath"/>: <c>softnet.sock</c> → <c>softnet.token</c>.</summary>
    public static string PathBeside(string socketPath) => Path.ChangeExtension(socketPath, ".token");

    /// <summary>The token in <paramref name="path"/> (surrounding whitespace ignored); refused when the file is missing, empty or readable by other users.</summary>
    public static string Read(string path)
    {
        if (!FileSystem.TryStat(FileSystem.AtFdCwd, path, 0, out var status))
            throw new AdminSetupException($"admin token file {path}: {Errno.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
        if ((status.Permissions & GroupOrOtherAccess) != 0)
            throw new AdminSetupException($"admin token file {path} (owner uid {status.Owner}, mode {status.Octal}) is open to other users; chmod 600 it");
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AdminSetupException($"admin token file {path}: {e.Message}", e);
        }
        if (token.Length == 0 || token.Any(char.IsWhiteSpace))
            throw new AdminSetupException($"admin token file {path} must hold one token with no spaces (got {(token.Length == 0 ? "an empty file" : "spaces")})");
        return token;
    }

    /// <summary>
    /// Writes a new random token to <paramref name="path"/>, mode 0600. An old file there is unlinked first and the new
    /// one created exclusively, so a symbolic link planted at the path is replaced, never written through.
    /// </summary>
    internal static string Generate(string path)
    {
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        try
        {
            File.Delete(path);
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            file.Write(Encoding.ASCII.GetBytes(token + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AdminSetupException($"admin token file {path}: {e.Message}", e);
        }
        return token;
    }

    /// <summary>Compares in constant time, so response timing does not reveal how much of a guess was right.</summary>
    internal static bool Matches(string expected, string? presented) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));
}
