namespace Softnet.Bench;

/// <summary>The benchmark's command line cannot be run as given; the message names the option and its range. Exit code 2.</summary>
internal sealed class BenchUsageException(string message) : Exception(message);
