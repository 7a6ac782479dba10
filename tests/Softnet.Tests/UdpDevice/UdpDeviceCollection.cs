namespace Softnet.Tests.UdpDevice;

/// <summary>
/// The UDP device scenarios run one at a time and apart from other tests: they pin senders to CPUs, count polls
/// driven by watchdog timers, take CPUs offline and measure the process's allocated bytes, all of which a parallel
/// neighbour would disturb.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UdpDeviceCollection
{
    public const string Name = "UdpDevice";
}
