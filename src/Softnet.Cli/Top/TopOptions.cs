namespace Softnet.Cli.Top;

/// <summary><c>softnet top</c>'s own options (the server is chosen by the admin verbs' <c>--admin</c> options).</summary>
internal sealed record TopOptions(TimeSpan Interval, long? Count, TimeSpan? Duration, bool Plain);
