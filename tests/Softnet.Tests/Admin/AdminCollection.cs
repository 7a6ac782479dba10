namespace Softnet.Tests.Admin;

/// <summary>
/// The admin scenarios run one at a time and apart from other tests: they count threads, time busy-polling and
/// hotplug CPUs, which a parallel neighbour hogging both cores would turn into flakes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AdminCollection
{
    public const string Name = "Admin";
}
