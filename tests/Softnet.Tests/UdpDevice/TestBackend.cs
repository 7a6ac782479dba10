using Softnet.Devices.Udp;

namespace Softnet.Tests.UdpDevice;

/// <summary>
/// The receive backend the UDP device tests open their devices with. Each behaviour test class runs once as itself
/// (epoll) and once as its IoUring subclass, whose constructor switches this; the classes share one collection, so
/// they run one at a time.
/// </summary>
internal static class TestBackend
{
    public static UdpBackend Current { get; set; } = UdpBackend.Epoll;
}
