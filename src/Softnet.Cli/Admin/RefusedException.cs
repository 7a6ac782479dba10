namespace Softnet.Cli.Admin;

/// <summary>The server answered with an error: its message and the errno it named.</summary>
internal sealed class RefusedException(string message, string errno) : Exception(message)
{
    public string Errno { get; } = errno;
}
