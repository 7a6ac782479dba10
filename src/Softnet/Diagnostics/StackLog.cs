using Microsoft.Extensions.Logging;

namespace Softnet.Diagnostics;

/// <summary>The stack's operational messages as a structured log event.</summary>
internal static partial class StackLog
{
    [LoggerMessage(1, LogLevel.Warning, "{Message}")]
    public static partial void Message(ILogger logger, string message);
}
