namespace Softnet.Cli.Load;

/// <summary>A run that could not finish or whose accounting is wrong; the command exits with code 1.</summary>
internal sealed class RunFailedException(string message) : Exception(message);
