namespace Softnet.Admin;

/// <summary>
/// The admin endpoint could not be set up safely: its directory, socket or token file is missing, unreachable or
/// belongs to someone else. The message names the path and what was found there (owner, mode, errno).
/// </summary>
public sealed class AdminSetupException : IOException
{
    /// <summary>A setup failure described by <paramref name="message"/>.</summary>
    public AdminSetupException(string message)
        : base(message)
    {
    }

    /// <summary>A setup failure described by <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public AdminSetupException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
