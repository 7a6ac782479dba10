using Softnet.Devices.Udp;

namespace Softnet.Cli.Options;

/// <summary>The <c>--backend</c> values of run and serve.</summary>
internal static class BackendNames
{
    public static readonly string[] All = ["epoll", "io_uring"];

    public static UdpBackend Parse(string name) => name == "io_uring" ? UdpBackend.IoUring : UdpBackend.Epoll;

    /// <summary>The packet buffer that receives a datagram of <paramref name="datagram"/> bytes whole with <paramref name="backend"/>.</summary>
    public static int BufferFor(UdpBackend backend, int datagram) =>
        backend == UdpBackend.IoUring ? Math.Min(1 << 16, datagram + UdpDeviceOptions.IoUringHeaderBytes) : datagram;
}
