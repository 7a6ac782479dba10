namespace Softnet.Tests.Core;

/// <summary>
/// Tests that look at process-wide state (all threads' names, process-wide allocations) run alone, after the
/// parallel collections, so no other test's stack threads or allocations are counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Core serial (process-wide observations)";
}
