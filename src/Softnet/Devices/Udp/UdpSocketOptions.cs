namespace Softnet.Devices.Udp;

/// <summary>How a UDP RX queue socket is set up before it is bound.</summary>
public readonly record struct UdpSocketOptions
{
    /// <summary>SO_REUSEPORT: several sockets (RX queues) share one port and the kernel spreads flows over them.</summary>
    public bool ReusePort { get; init; }

    /// <summary>
    /// The SO_RCVBUF request in bytes (0 keeps the system default). The kernel doubles it for bookkeeping and, without
    /// CAP_NET_ADMIN, caps it at net.core.rmem_max; the size actually granted is read back after setup.
    /// </summary>
    public int ReceiveBufferBytes { get; init; }

    /// <summary>The SO_SNDBUF request in bytes (0 keeps the system default), with the same doubling and capping.</summary>
    public int SendBufferBytes { get; init; }

    /// <summary>SO_RXQ_OVFL: every datagram received after a drop carries the socket's cumulative drop count.</summary>
    public bool RxqOverflow { get; init; }

    /// <summary>
    /// Refuse every datagram from the start (a socket filter that accepts nothing, attached before the bind): the
    /// kernel drops and counts (sk_drops) whatever its lookup picks for this socket.
    /// </summary>
    public bool Refuse { get; init; }
}
