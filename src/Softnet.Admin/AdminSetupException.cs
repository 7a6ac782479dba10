namespace Softnet.Admin;

/// <summary>
/// The admin endpoint could not be set up safely: its directory, socket or token file is missing, unreachable or
/// belongs to someone else. The message names the path and what was found there (owner, mode, errno).
/// </summary>
public sealed class AdminSetupException : IOException
{
    public AdminSetupException(string message)
        : base(message)
    {
    }

    public AdminSetupException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
