namespace Softnet.Cli.Admin;

/// <summary>The admin socket is missing or nobody accepts connections on it.</summary>
internal sealed class NoServerException(string message, Exception inner) : Exception(message, inner);
