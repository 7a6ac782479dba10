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

    public const int DefaultMaxDatagram = 2048;

    /// <summary>The largest UDP payload over IPv4: 65535 − 20 (IP header) − 8 (UDP header).</summary>
    public const int MaxUdpPayload = 65507;

    public const string Usage = $"""
        usage: softnet serve --bind ADDR:PORT [options]

        Receives on a UDP device until SIGINT or SIGTERM, then shuts down gracefully and prints the final report.

          --bind ADDR:PORT          address and port every queue binds, e.g. 127.0.0.1:11111 or [::]:11111 (required)
          --queues N                RX queues (sockets and NAPIs), 1..256 (default: one per CPU, at most 256)
          --cpus N                  stack CPUs, 1..1024 (default: the CPUs this process may use); each costs a
                                    softirq thread, so more than the machine has adds threads, not capacity
          --max-datagram BYTES      largest datagram received whole, 64..65507 (default 2048); longer ones are
                                    counted as malformed drops
          --mode MODE               softirq | backlog-threads (default softirq)
          --backend NAME            receive backend, epoll | io_uring (default epoll; io_uring falls back to epoll
                                    with one log line where the kernel refuses it)
          --ifname NAME             interface name, at most 15 characters (default udp0)
          --reply MODE              none | echo | sockperf (default none)
          --rps-cpus MASK           rps_cpus for every queue (default: off)
          --defer-hard-irqs N       napi_defer_hard_irqs for every queue, 0..2147483647 (default 0)
          --gro-flush-timeout NS    gro_flush_timeout in ns, 0..10000000000 (default 0)
          --irq-suspend-timeout NS  irq-suspend-timeout in ns for every queue, 0..10000000000 (default 0)
          --busy-poll-usecs N       application busy polling: a thread polls the NAPIs, each call spinning up to
                                    N µs (busy_read), 0..1000000 (default: off, interrupts)
          --busy-poll-budget N      packets per busy poll (busy_poll_budget), 1..65535 (default 8)
          --prefer-busy-poll        prefer_busy_poll: keep the queues masked while polling (with --defer-hard-irqs
                                    and --gro-flush-timeout)
          --reuseport-share         join a SO_REUSEPORT group other sockets of this user already hold on --bind
                                    (default: refuse such a port with EADDRINUSE naming its holder)
          --admin PATH              admin Unix socket (default $XDG_RUNTIME_DIR/softnet/softnet.sock or /tmp/softnet-$UID/softnet.sock)
          --admin-http ADDR:PORT    also serve the admin API over HTTP (loopback only unless --admin-allow-remote)
          --admin-allow-remote      allow a non-loopback --admin-http address (the token still travels in clear text)
          --admin-token-file PATH   bearer token for --admin-http (mode 0600); default: generated into a 0600 file
                                    beside the admin socket (softnet.sock -> softnet.token), removed at exit
          --metrics-http ADDR:PORT  serve GET /metrics only, without a token, for scrapers
          --no-admin                no admin endpoint
          --json                    print the final report as one JSON object
        {OverloadOptions.Usage}

        Exit codes: 0 ok, 1 the device or admin endpoint could not be set up, 2 bad usage or --rt-priority refused.
        """;

    public static ServeOptions Parse(IReadOnlyList<string> args)
    {
        IPEndPoint? bind = null;
        var o = new ServeOptions { Bind = new IPEndPoint(IPAddress.Loopback, 0) };
        var reader = new ArgReader(args);
        while (reader.Next(out string name))
        {
            switch (name)
            {
                case "--bind":
                    bind = ParseEndPoint("--bind", reader.Value());
                    break;
                case "--admin-http":
                    o = o with { AdminHttp = Unmapped(ParseEndPoint("--admin-http", reader.Value())) };
                    break;
                case "--metrics-http":
                    o = o with { MetricsHttp = Unmapped(ParseEndPoint("--metrics-http", reader.Value())) };
                    break;
                default:
                    o = name switch
                    {
                        "--queues" => o with { Queues = reader.Int32(1, UdpDeviceOptions.MaxQueues) },
                        "--cpus" => o with { Cpus = reader.Int32(1, 1024) },
                        "--mode" => o with { Mode = KickModes.TryParse(reader.Value(), out var m) ? m : throw new UsageException("--mode must be one of softirq, backlog-threads") },
                        "--ifname" => o with { IfName = reader.Value() },
                        "--reply" => o with { Reply = Enum.Parse<ReplyMode>(reader.OneOf("none", "echo", "sockperf"), ignoreCase: true) },
                        "--rps-cpus" => o with { RpsCpus = reader.Value() },
                        "--defer-hard-irqs" => o with { DeferHardIrqs = (int)reader.Integer(NapiConfigRanges.DeferHardIrqs.Min, NapiConfigRanges.DeferHardIrqs.Max) },
                        "--gro-flush-timeout" => o with { GroFlushTimeoutNs = reader.Integer(NapiConfigRanges.GroFlushTimeoutNs.Min, NapiConfigRanges.GroFlushTimeoutNs.Max) },
                        "--reuseport-share" => o with { ReusePortShare = true },
                        "--irq-suspend-timeout" => o with { IrqSuspendTimeoutNs = reader.Integer(NapiConfigRanges.IrqSuspendTimeoutNs.Min, NapiConfigRanges.IrqSuspendTimeoutNs.Max) },
                        "--busy-poll-usecs" => o with { BusyPollUsecs = reader.Int32(0, 1_000_000) },
                        "--busy-poll-budget" => o with { BusyPollBudget = reader.Int32(1, ushort.MaxValue) },
                        "--prefer-busy-poll" => o with { PreferBusyPoll = true },
                        "--admin" => o with { AdminPath = reader.Value() },
                        "--admin-allow-remote" => o with { AdminAllowRemote = true },
                        "--admin-token-file" => o with { AdminTokenFile = reader.Value() },
                        "--no-admin" => o with { NoAdmin = true },
                        "--json" => o with { Json = true },
                        "--backend" => o with { Backend = BackendNames.Parse(reader.OneOf(BackendNames.All)) },
                        "--max-datagram" => o with { MaxDatagram = reader.Int32(64, MaxUdpPayload) },
                        _ => o.Overload.TryParse(name, reader) is { } overload
                            ? o with { Overload = overload }
                            : throw new UsageException($"unknown option '{name}' for serve; see softnet serve --help"),
                    };
                    break;
            }
        }
        if (bind is null)
            throw new UsageException("--bind ADDR:PORT is required, e.g. --bind 127.0.0.1:11111");
        if (o.AdminTokenFile is not null && o.AdminHttp is null)
            throw new UsageException("--admin-token-file needs --admin-http: the Unix socket is guarded by its file mode");
        if (o.NoAdmin && (o.AdminHttp is not null || o.MetricsHttp is not null || o.AdminPath is not null))
            throw new UsageException("--no-admin cannot be combined with --admin, --admin-http or --metrics-http");
        if (o.IfName.Length is 0 or > 15)
            throw new UsageException($"--ifname must be 1 to 15 characters (got '{o.IfName}')");
        return o with { Bind = bind };
    }

    /// <summary>ADDR:PORT with the port written out: "[::1]" alone parses as port 0, which would bind a random port.</summary>
    private static IPEndPoint ParseEndPoint(string option, string text) =>
        IPEndPoint.TryParse(text, out var ep) && text.LastIndexOf(':') > text.LastIndexOf(']') && (ep.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || text.StartsWith('['))
            ? ep
            : throw new UsageException($"{option} must be ADDR:PORT such as 127.0.0.1:11111 or [::1]:11111 (got '{text}')");

    /// <summary>An IPv4-mapped IPv6 address (<c>[::ffff:127.0.0.1]</c>) is its IPv4 address: a TCP listener binds that.</summary>
    private static IPEndPoint Unmapped(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;
}
