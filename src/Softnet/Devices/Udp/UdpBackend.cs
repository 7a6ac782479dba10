namespace Softnet.Devices.Udp;

/// <summary>How a <see cref="UdpDevice"/>'s queues learn that datagrams arrived and read them.</summary>
public enum UdpBackend
{
    /// <summary>Socket readiness through epoll is the interrupt; a poll reads with recvmmsg.</summary>
    Epoll,

    /// <summary>
    /// A multishot io_uring RECVMSG per queue over a ring of pooled buffers; completions are the interrupt. Falls back
    /// to <see cref="Epoll"/> (with one log line) where the kernel or its policy does not allow it.
    /// </summary>
    IoUring,
}
