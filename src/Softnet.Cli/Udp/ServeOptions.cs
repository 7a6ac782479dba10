using System.Net;
using Softnet.Cli.Options;
using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Cli.Udp;

/// <summary><c>softnet serve</c>'s options.</summary>
internal sealed record ServeOptions
{
    public required IPEndPoint Bind { get; init; }

    public int Queues { get; init; }

    public int Cpus { get; init; } = Environment.ProcessorCount;

    public KickMode Mode { get; init; } = KickMode.Softirq;

    public string IfName { get; init; } = "udp0";

    public ReplyMode Reply { get; init; } = ReplyMode.None;

    public string RpsCpus { get; init; } = "";

    public int DeferHardIrqs { get; init; }

    public long GroFlushTimeoutNs { get; init; }

    public bool ReusePortShare { get; init; }

    public long IrqSuspendTimeoutNs { get; init; }

    /// <summary>Application busy polling: null keeps interrupt-driven receive.</summary>
    public int? BusyPollUsecs { get; init; }

    public int BusyPollBudget { get; init; } = 8;

    public bool PreferBusyPoll { get; init; }

    public string? AdminPath { get; init; }

    public IPEndPoint? AdminHttp { get; init; }

    public bool AdminAllowRemote { get; init; }

    public string? AdminTokenFile { get; init; }

    public IPEndPoint? MetricsHttp { get; init; }

    public bool NoAdmin { get; init; }

    public bool Json { get; init; }

    /// <summary>Real-time threads and overload control.</summary>
    public OverloadOptions Overload { get; init; } = new();

    /// <summary>The largest datagram received whole (the packet buffer size); longer ones are counted as malformed.</summary>
    public int MaxDatagram { get; init; } = DefaultMaxDatagram;

    /// <summary>How the device's queues receive.</summary>
    public UdpBackend Backend { get; init; }

    /// <summary>Each queue socket's receive buffer (SO_RCVBUF, forced where permitted): how much the kernel holds for it.</summary>
    public int ReceiveBufferBytes { get; init; } = new UdpDeviceOptions().ReceiveBufferBytes;

    public const int DefaultMaxDatagram = 2048;

    /// <summary>The largest UDP payload over IPv4: 65535 − 20 (IP header) − 8 (UDP header).</summary>
    public const int MaxUdpPayload = 65507;

    public static ServeOptions Parse(IReadOnlyList<string> args)
    {
        var knobs = new ServeKnobs();
        return knobs.Bind(CommandLine.CommandParse.Of(knobs.Command(), args));
    }

    /// <summary>The checks that involve more than one option.</summary>
    internal ServeOptions Checked()
    {
        if (AdminTokenFile is not null && AdminHttp is null)
            throw new UsageException("--admin-token-file needs --admin-http: the Unix socket is guarded by its file mode");
        if (NoAdmin && (AdminHttp is not null || AdminPath is not null))
            throw new UsageException("--no-admin cannot be combined with --admin or --admin-http");
        if (IfName.Length is 0 or > 15)
            throw new UsageException($"--ifname must be 1 to 15 characters (got '{IfName}')");
        return this;
    }

    /// <summary>ADDR:PORT with the port written out: "[::1]" alone parses as port 0, which would bind a random port.</summary>
    internal static IPEndPoint ParseEndPoint(string option, string text) =>
        IPEndPoint.TryParse(text, out var ep) && text.LastIndexOf(':') > text.LastIndexOf(']') && (ep.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || text.StartsWith('['))
            ? ep
            : throw new UsageException($"{option} must be ADDR:PORT such as 127.0.0.1:11111 or [::1]:11111 (got '{text}')");

    /// <summary>An IPv4-mapped IPv6 address (<c>[::ffff:127.0.0.1]</c>) is its IPv4 address: a TCP listener binds that.</summary>
    internal static IPEndPoint Unmapped(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;
}
