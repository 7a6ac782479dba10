using Softnet.Cli.Options;
using Softnet.Cli.Udp;
using Softnet.Devices.Udp;

namespace Softnet.Tests.Cli;

/// <summary><c>--backend</c> of run and serve, and the packet buffer that keeps the largest datagram whole with io_uring.</summary>
public class BackendOptionTests
{
    [Fact]
    public void Run_TakesEitherBackend_AndDefaultsToEpoll()
    {
        Assert.Equal(UdpBackend.Epoll, RunOptions.Parse([]).Backend);
        Assert.Equal(UdpBackend.IoUring, RunOptions.Parse(["--backend", "io_uring"]).Backend);
        Assert.Equal(UdpBackend.Epoll, RunOptions.Parse(["--backend", "epoll"]).Backend);
    }

    [Fact]
    public void Run_RefusesAnUnknownBackend_AndTheBackendForLoopback()
    {
        Assert.Contains("--backend", Assert.Throws<UsageException>(() => RunOptions.Parse(["--backend", "aio"])).Message);
        Assert.Contains("--backend", Assert.Throws<UsageException>(() => RunOptions.Parse(["--device", "loopback", "--backend", "io_uring"])).Message);
    }

    [Fact]
    public void Serve_TakesTheBackend()
    {
        Assert.Equal(UdpBackend.IoUring, ServeOptions.Parse(["--bind", "127.0.0.1:9", "--backend", "io_uring"]).Backend);
        Assert.Equal(UdpBackend.Epoll, ServeOptions.Parse(["--bind", "127.0.0.1:9"]).Backend);
    }

    /// <summary>With io_uring the kernel's header shares the buffer, so the stack's buffers grow by it.</summary>
    [Fact]
    public void IoUring_GrowsThePacketBufferByTheKernelsHeader()
    {
        var epoll = RunOptions.Parse(["--size", "2048"]).ToStackOptions(static _ => { });
        var uring = RunOptions.Parse(["--size", "2048", "--backend", "io_uring"]).ToStackOptions(static _ => { });

        Assert.Equal(2048, epoll.PacketBufferSize);
        Assert.Equal(2048 + UdpDeviceOptions.IoUringHeaderBytes, uring.PacketBufferSize);
        Assert.Equal(1 << 16, BackendNames.BufferFor(UdpBackend.IoUring, ServeOptions.MaxUdpPayload));
    }
}
