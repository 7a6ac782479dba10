using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Softnet.Interop;

namespace Softnet.Devices.Udp;

/// <summary>
/// One non-blocking UDP socket: an RX queue of a UDP device. Several of them bound with
/// <see cref="UdpSocketOptions.ReusePort"/> to one port form a reuseport group, the kernel's multi-queue NIC.
/// </summary>
internal sealed unsafe class UdpSocket : IDisposable
{
    private readonly byte[] _localSockaddr;
    private int _fd;

    private UdpSocket(int fd, byte[] localSockaddr, int receiveBufferBytes, int sendBufferBytes)
    {
        _fd = fd;
        _localSockaddr = localSockaddr;
        LocalEndPoint = SockAddr.Read(localSockaddr);
        EffectiveReceiveBufferBytes = receiveBufferBytes;
        EffectiveSendBufferBytes = sendBufferBytes;
    }

    ~UdpSocket() => CloseOnce();

    /// <summary>The descriptor; -1 once disposed.</summary>
    public int Fd => Volatile.Read(ref _fd);

    /// <summary>The bound address as the kernel reports it, so an ephemeral port (0 in the request) is known.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The bound address as a raw sockaddr, the local half of <see cref="Softnet.Steering.FlowDissector.Hash"/>.</summary>
    public ReadOnlySpan<byte> LocalSockaddr => _localSockaddr;

    /// <summary>The bound address as the array packets reference for their lazily computed flow hash; never written after binding.</summary>
    internal byte[] LocalSockaddrBytes => _localSockaddr;

    /// <summary>SO_RCVBUF as read back: the kernel's doubled, capped value that its queue accounting really uses.</summary>
    public int EffectiveReceiveBufferBytes { get; }

    /// <summary>SO_SNDBUF as read back.</summary>
    public int EffectiveSendBufferBytes { get; }

    /// <summary>
    /// Creates, configures and binds a socket. IPv6 sockets are dual-stack (IPV6_V6ONLY off), so <c>[::]</c> also
    /// receives IPv4 as v4-mapped addresses. Nothing is left open when this throws.
    /// </summary>
    /// <exception cref="SocketSetupException">A syscall failed; the message names it, the address and the errno.</exception>
    public static UdpSocket Open(IPEndPoint bind, UdpSocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(bind);
        int family = bind.AddressFamily switch
        {
            AddressFamily.InterNetwork => Libc.AF_INET,
            AddressFamily.InterNetworkV6 => Libc.AF_INET6,
            _ => throw new ArgumentException($"{bind}: only IPv4 and IPv6 endpoints can be bound", nameof(bind)),
        };
        if (options.ReceiveBufferBytes < 0 || options.SendBufferBytes < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "buffer sizes must be 0 (system default) or positive");

        int fd = Libc.Socket(family, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw new SocketSetupException(family == Libc.AF_INET ? "socket AF_INET" : "socket AF_INET6", bind, Marshal.GetLastPInvokeError());

        byte* sockaddr = stackalloc byte[Libc.SockaddrStorageBytes];
        int length = SockAddr.Write(bind, new Span<byte>(sockaddr, Libc.SockaddrStorageBytes));
        string? failed = Setup(fd, family, options, sockaddr, ref length, out int errno, out int receiveBuffer, out int sendBuffer);
        if (failed is not null)
        {
            Libc.Close(fd);
            throw new SocketSetupException(failed, bind, errno);
        }
        return new UdpSocket(fd, new ReadOnlySpan<byte>(sockaddr, length).ToArray(), receiveBuffer, sendBuffer);
    }

    /// <summary>
    /// Attaches (to the whole reuseport group) a classic BPF program returning <c>receiving CPU mod queues</c>: the
    /// index of the socket, in bind order, that gets the datagram — RSS that sends each CPU's traffic to its queue,
    /// and that keeps sockets at index ≥ <paramref name="queues"/> out of the spread while they are being drained.
    /// Returns false when the kernel refuses.
    /// </summary>
    public bool TryAttachReuseportCpuSteering(int queues) =>
        TryAttachReuseportProgram(ReuseportProgram.Build([], 0, 0, 0, 0, queues));

    /// <summary>
    /// Attaches (to the whole reuseport group, replacing the one before) a classic BPF program whose return value is
    /// the index, in bind order, of the socket that gets the datagram (<see cref="ReuseportProgram"/>). Returns false
    /// when the kernel refuses.
    /// </summary>
    public bool TryAttachReuseportProgram(Libc.SockFilter[] program)
    {
        fixed (Libc.SockFilter* filter = program)
        {
            var fprog = new Libc.SockFprog { Length = (ushort)program.Length, Filter = filter };
            return Libc.SetSockOpt(Fd, Libc.SOL_SOCKET, Libc.SO_ATTACH_REUSEPORT_CBPF, &fprog, (uint)sizeof(Libc.SockFprog)) == 0;
        }
    }

    /// <summary>
    /// SO_MEMINFO: the bytes queued in the receive buffer (skb truesize, as the kernel charges them), the buffer they
    /// count against, and the socket's drop count — one getsockopt. False once closed.
    /// </summary>
    public bool TryReadMemInfo(out Overload.QueueFill fill)
    {
        uint* info = stackalloc uint[Libc.SK_MEMINFO_VARS];
        uint length = Libc.SK_MEMINFO_VARS * sizeof(uint);
        int fd = Fd;
        if (fd < 0 || Libc.GetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_MEMINFO, info, &length) != 0 || length <= Libc.SK_MEMINFO_DROPS * sizeof(uint))
        {
            fill = default;
            return false;
        }
        fill = new Overload.QueueFill(info[Libc.SK_MEMINFO_RMEM_ALLOC], info[Libc.SK_MEMINFO_RCVBUF], info[Libc.SK_MEMINFO_DROPS]);
        return true;
    }

    /// <summary>
    /// Attaches a socket filter that accepts nothing: from now on the kernel drops every datagram its lookup picks for
    /// this socket before queueing it, and counts the drop (UDP InErrors, the socket's sk_drops). What is already
    /// queued stays readable, so a drain after a receive-side RCU grace period (<see cref="ReceiveGrace"/>) empties
    /// the socket for good. Returns 0 or errno.
    /// </summary>
    public int RefuseDatagrams() => Refuse(Fd);

    /// <summary>
    /// The kernel's drop count of this socket (sk_drops, SO_MEMINFO): datagrams its buffer had no room for and those
    /// its socket filter refused. Null once closed.
    /// </summary>
    public long? ReadDrops() => TryReadMemInfo(out var fill) ? fill.Drops : null;

    private static int Refuse(int fd)
    {
        var program = stackalloc Libc.SockFilter[1];
        program[0] = new Libc.SockFilter { Code = Libc.BPF_RET | Libc.BPF_K, K = 0 };
        var fprog = new Libc.SockFprog { Length = 1, Filter = program };
        return Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_ATTACH_FILTER, &fprog, (uint)sizeof(Libc.SockFprog)) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public void Dispose()
    {
        CloseOnce();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Configures and binds <paramref name="fd"/>, then reads back what the kernel granted. Returns null, or the
    /// failing operation with its errno; <paramref name="sockaddr"/> holds the bound address on success.
    /// </summary>
    private static string? Setup(
        int fd, int family, UdpSocketOptions options, byte* sockaddr, ref int length,
        out int errno, out int receiveBuffer, out int sendBuffer)
    {
        receiveBuffer = sendBuffer = 0;
        errno = 0;
        if (family == Libc.AF_INET6 && SetInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 0) != 0)
            return Failed("setsockopt IPV6_V6ONLY", out errno);
        if (options.ReusePort && SetInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEPORT, 1) != 0)
            return Failed("setsockopt SO_REUSEPORT", out errno);
        if (options.RxqOverflow && SetInt(fd, Libc.SOL_SOCKET, Libc.SO_RXQ_OVFL, 1) != 0)
            return Failed("setsockopt SO_RXQ_OVFL", out errno);
        if (options.ReceiveBufferBytes > 0 && (errno = SetBuffer(fd, Libc.SO_RCVBUF, Libc.SO_RCVBUFFORCE, options.ReceiveBufferBytes)) != 0)
            return "setsockopt SO_RCVBUF";
        if (options.SendBufferBytes > 0 && (errno = SetBuffer(fd, Libc.SO_SNDBUF, Libc.SO_SNDBUFFORCE, options.SendBufferBytes)) != 0)
            return "setsockopt SO_SNDBUF";
        if (options.Refuse && (errno = Refuse(fd)) != 0)
            return "setsockopt SO_ATTACH_FILTER";
        if (Libc.Bind(fd, sockaddr, (uint)length) != 0)
            return Failed("bind", out errno);
        uint localLength = Libc.SockaddrStorageBytes;
        if (Libc.GetSockName(fd, sockaddr, &localLength) != 0)
            return Failed("getsockname", out errno);
        length = (int)localLength;
        if ((errno = GetInt(fd, Libc.SO_RCVBUF, out receiveBuffer)) != 0)
            return "getsockopt SO_RCVBUF";
        if ((errno = GetInt(fd, Libc.SO_SNDBUF, out sendBuffer)) != 0)
            return "getsockopt SO_SNDBUF";
        return null;
    }

    /// <summary>
    /// Growing past the default tries the FORCE variant first: it ignores net.core.[rw]mem_max but needs
    /// CAP_NET_ADMIN (EPERM otherwise), and the plain option, silently capped, is the fallback. Returns 0 or errno.
    /// </summary>
    private static int SetBuffer(int fd, int option, int forceOption, int bytes)
    {
        int errno = GetInt(fd, option, out int current);
        if (errno != 0)
            return errno;
        if (bytes > current && SetInt(fd, Libc.SOL_SOCKET, forceOption, bytes) == 0)
            return 0;
        return SetInt(fd, Libc.SOL_SOCKET, option, bytes) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private static int SetInt(int fd, int level, int option, int value) =>
        Libc.SetSockOpt(fd, level, option, &value, sizeof(int));

    /// <summary>Reads a SOL_SOCKET integer option; returns 0 or errno.</summary>
    private static int GetInt(int fd, int option, out int value)
    {
        int v = 0;
        uint length = sizeof(int);
        int rc = Libc.GetSockOpt(fd, Libc.SOL_SOCKET, option, &v, &length);
        value = v;
        return rc == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private static string Failed(string operation, out int errno)
    {
        errno = Marshal.GetLastPInvokeError();
        return operation;
    }

    private void CloseOnce()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            Libc.Close(fd);
    }
}
