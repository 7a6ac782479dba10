using System.Net;
using Softnet.Core;

namespace Softnet.Devices.Udp;

/// <summary>How a <see cref="UdpDevice"/> is set up. Checked when the device is created.</summary>
public sealed record UdpDeviceOptions
{
    /// <summary>The most RX queues (and NAPI config slots) a device may have.</summary>
    public const int MaxQueues = 256;

    /// <summary>Interface name, as in <c>napi/&lt;ifname&gt;-&lt;id&gt;</c> thread names (at most 15 characters).</summary>
    public string Name { get; init; } = "udp0";

    /// <summary>Address and port every RX queue socket binds (SO_REUSEPORT); port 0 picks one for all queues.</summary>
    public IPEndPoint Bind { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>RX queues (sockets, NAPIs); 0 = one per stack CPU, at most <see cref="MaxQueues"/>.</summary>
    public int Queues { get; init; }

    /// <summary>Config slots, the limit for <see cref="NetDevice.SetChannels"/>; 0 = max(queues, CPUs), at most <see cref="MaxQueues"/>.</summary>
    public int MaxChannels { get; init; }

    /// <summary>SO_RCVBUF(FORCE) per queue socket.</summary>
    public int ReceiveBufferBytes { get; init; } = 8 << 20;

    /// <summary>SO_SNDBUF(FORCE) of the sockets replies leave through.</summary>
    public int SendBufferBytes { get; init; } = 4 << 20;

    /// <summary>Steer each datagram to the queue of the CPU that received it (reuseport CBPF); off: the kernel's flow hash.</summary>
    public bool CpuSteering { get; init; } = true;

    /// <summary>smp_affinity per queue: the CPU whose softirq thread takes queue i's interrupt; default i mod CPUs.</summary>
    public IReadOnlyList<int>? IrqAffinity { get; init; }

    /// <summary>napi_defer_hard_irqs for every queue (device-wide default).</summary>
    public int DeferHardIrqs { get; init; }

    /// <summary>gro_flush_timeout in nanoseconds for every queue (device-wide default).</summary>
    public long GroFlushTimeoutNs { get; init; }

    /// <summary>
    /// Join a SO_REUSEPORT group that other sockets (another process of the same user) already hold on <see cref="Bind"/>,
    /// on purpose: datagrams are then spread over both owners by the kernel's hash, and no CPU steering program is
    /// attached (it would replace the group's). Off: a device refuses such a port with EADDRINUSE. Needs a fixed port.
    /// </summary>
    public bool ReusePortShare { get; init; }

    /// <summary>irq-suspend-timeout in nanoseconds for every queue (device-wide default); used by preferring busy pollers.</summary>
    public long IrqSuspendTimeoutNs { get; init; }

    /// <summary>Drops datagrams in the poll, before RPS and the backlog, when it returns true (reason <c>early_drop</c>); null keeps all.</summary>
    public Overload.EarlyDropFilter? EarlyDrop { get; init; }

    /// <summary>
    /// Sources kept out of the flood: the reuseport steering program sends their datagrams to a queue of their own
    /// (a socket with its own buffer of <see cref="ReceiveBufferBytes"/>), polled first on its CPU, delivered without
    /// RPS and exempt from the CPU budget. Needs <see cref="CpuSteering"/>; at most 8 flows.
    /// </summary>
    public IReadOnlyList<Overload.ProtectedFlow> Protected { get; init; } = [];

    /// <summary>
    /// This device's overload policy; null follows the stack's <see cref="NetStackOptions.Overload"/>. <c>Off</c>: its
    /// queues are polled however much of the CPU budget is used, and it sheds and holds back nothing (the behaviour
    /// before overload control). <c>Auto</c>: its queues stop when the CPU budget runs out, it sheds
    /// <see cref="ShedShare"/> while overloaded, and a queue is not read for a round while a backlog its RPS map
    /// feeds is over 75% of netdev_max_backlog.
    /// </summary>
    public Overload.OverloadMode? Overload { get; init; }

    /// <summary>
    /// Percent of the unprotected datagrams the kernel sheds while a queue of the device is overloaded (policy
    /// <c>Auto</c>), before any socket buffer: the reuseport program sends them to a socket that refuses everything,
    /// and that socket's drop count is the <c>shed</c> count. 0 sheds nothing. Needs <see cref="CpuSteering"/>.
    /// </summary>
    public int ShedShare { get; init; }

    /// <summary>
    /// How queues receive: <see cref="UdpBackend.Epoll"/> (readiness, recvmmsg) or <see cref="UdpBackend.IoUring"/>
    /// (multishot RECVMSG into pooled buffers, falling back to epoll with a log line where io_uring is unavailable).
    /// With io_uring a datagram may be up to <see cref="IoUringHeaderBytes"/> shorter than the packet buffer before it
    /// counts as truncated: the kernel writes the source address and control message in front of it.
    /// </summary>
    public UdpBackend Backend { get; init; } = UdpBackend.Epoll;

    /// <summary>Bytes of each packet buffer the io_uring backend gives to the kernel's per-datagram header.</summary>
    public static int IoUringHeaderBytes => IoUringRx.HeaderBytes;

    /// <summary>NAPI weight: datagrams per poll (one recvmmsg).</summary>
    public int Weight { get; init; } = 64;

    internal void Validate(NetStack stack) => Validate(stack.CpuCount);

    /// <summary>The checks of <see cref="UdpDevice.Open"/> for a stack of <paramref name="cpuCount"/> CPUs, before one exists.</summary>
    internal void Validate(int cpuCount)
    {
        int queues = Queues == 0 ? Math.Min(cpuCount, MaxQueues) : Queues;
        NetStackOptions.Range(nameof(Queues), queues, 1, MaxQueues);
        NetStackOptions.Range(nameof(MaxChannels), MaxChannels == 0 ? Math.Min(Math.Max(queues, cpuCount), MaxQueues) : MaxChannels, queues, MaxQueues);
        NetStackOptions.Range(nameof(ReceiveBufferBytes), ReceiveBufferBytes, 0, int.MaxValue / 2);
        NetStackOptions.Range(nameof(SendBufferBytes), SendBufferBytes, 0, int.MaxValue / 2);
        NetStackOptions.Range(nameof(DeferHardIrqs), DeferHardIrqs, NapiConfigRanges.DeferHardIrqs.Min, NapiConfigRanges.DeferHardIrqs.Max);
        NetStackOptions.Range(nameof(GroFlushTimeoutNs), GroFlushTimeoutNs, NapiConfigRanges.GroFlushTimeoutNs.Min, NapiConfigRanges.GroFlushTimeoutNs.Max);
        NetStackOptions.Range(nameof(IrqSuspendTimeoutNs), IrqSuspendTimeoutNs, NapiConfigRanges.IrqSuspendTimeoutNs.Min, NapiConfigRanges.IrqSuspendTimeoutNs.Max);
        NetStackOptions.Range(nameof(Weight), Weight, 1, 4096);
        if (!Enum.IsDefined(Backend))
            throw new ArgumentOutOfRangeException(nameof(Backend), Backend, "Backend must be Epoll or IoUring");
        if (ReusePortShare && Bind.Port == 0)
            throw new ArgumentException("ReusePortShare needs a fixed port in Bind: port 0 always gets a port of the device's own", nameof(ReusePortShare));
        NetStackOptions.Range(nameof(ShedShare), ShedShare, 0, 100);
        if (Protected.Count > Softnet.Overload.ProtectedFlow.MaxPerDevice)
            throw new ArgumentOutOfRangeException(nameof(Protected), $"Protected must have at most {Softnet.Overload.ProtectedFlow.MaxPerDevice} flows (got {Protected.Count})");
        if ((Protected.Count > 0 || ShedShare > 0) && (!CpuSteering || ReusePortShare))
            throw new ArgumentException("Protected and ShedShare need the device's own reuseport steering program: CpuSteering on and ReusePortShare off", Protected.Count > 0 ? nameof(Protected) : nameof(ShedShare));
        foreach (var flow in Protected)
        {
            if (!flow.IsIPv4 && Bind.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                throw new ArgumentException($"Protected flow {flow} is IPv6 but the device binds {Bind}, which receives IPv4 only", nameof(Protected));
        }
        if (IrqAffinity is { } affinity)
        {
            foreach (int cpu in affinity)
                NetStackOptions.Range(nameof(IrqAffinity), cpu, 0, cpuCount - 1);
        }
    }
}
