namespace Softnet.Cli.Options;

/// <summary>The command line cannot be run as given; the message names the option and what it accepts. Exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message)
{
    /// <summary>A library argument error as a usage error, without the "(Parameter '…')" suffix .NET appends.</summary>
    public static UsageException From(ArgumentException e)
    {
        string text = e.Message;
        int cut = text.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return new UsageException(cut >= 0 ? text[..cut] : text);
    }
}
