using System.CommandLine;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Options;
using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Cli.Udp;

/// <summary>
/// Every knob of <c>softnet serve</c>, declared once for parsing, validation and help; the NAPI settings take their
/// ranges from <see cref="NapiConfigRanges"/>, the same the admin server and the library check.
/// </summary>
internal sealed class ServeKnobs
{
    public Option<string?> BindAddress { get; } = Knob.Text("--bind", "ADDR:PORT", "address and port every queue binds, e.g. 127.0.0.1:11111 or [::]:11111 (required)");

    public StackKnobs Shared { get; } = new(
        cpusHelp: "stack CPUs; each costs a softirq thread, so more than the machine has adds threads, not capacity",
        queuesHelp: "RX queues (sockets and NAPIs)",
        queuesDefault: "one per CPU, at most 256",
        backendHelp: "receive backend",
        rpsCpusHelp: "rps_cpus for every queue (default: off)");

    public Option<int> MaxDatagram { get; } = Knob.Int32("--max-datagram", "BYTES", 64, ServeOptions.MaxUdpPayload, ServeOptions.DefaultMaxDatagram, "largest datagram received whole; longer ones are counted as malformed drops");

    public Option<int> ReceiveBuffer { get; } = Knob.Int32("--rcvbuf", "BYTES", 4096, int.MaxValue / 2, new UdpDeviceOptions().ReceiveBufferBytes, "each queue socket's receive buffer (SO_RCVBUF): what the kernel queues while the stack is behind; at a given rate, the longest wait a datagram can have");

    public Option<string?> IfName { get; } = Knob.Text("--ifname", "NAME", "interface name, at most 15 characters (default udp0)");

    public Option<string> Reply { get; } = Knob.Choice("--reply", "MODE", ["none", "echo", "sockperf"], "none", "what the handler answers");

    public Option<long> DeferHardIrqs { get; } = Napi("--defer-hard-irqs", "N", NapiConfigRanges.DeferHardIrqs, "napi_defer_hard_irqs for every queue");

    public Option<long> GroFlushTimeout { get; } = Napi("--gro-flush-timeout", "NS", NapiConfigRanges.GroFlushTimeoutNs, "gro_flush_timeout in ns");

    public Option<long> IrqSuspendTimeout { get; } = Napi("--irq-suspend-timeout", "NS", NapiConfigRanges.IrqSuspendTimeoutNs, "irq-suspend-timeout in ns for every queue");

    public Option<int?> BusyPollUsecs { get; } = Knob.OptionalInt32("--busy-poll-usecs", "N", 0, 1_000_000, "application busy polling: a thread polls the NAPIs, each call spinning up to N µs (busy_read)", "off, interrupts");

    public Option<int> BusyPollBudget { get; } = Knob.Int32("--busy-poll-budget", "N", 1, ushort.MaxValue, 8, "packets per busy poll (busy_poll_budget)");

    public Option<bool> PreferBusyPoll { get; } = Knob.Flag("--prefer-busy-poll", "prefer_busy_poll: keep the queues masked while polling (with --defer-hard-irqs and --gro-flush-timeout)");

    public Option<bool> ReusePortShare { get; } = Knob.Flag("--reuseport-share", "join a SO_REUSEPORT group other sockets of this user already hold on --bind (default: refuse such a port with EADDRINUSE naming its holder)");

    public Option<string?> Admin { get; } = Knob.Text("--admin", "PATH", "admin Unix socket (default $XDG_RUNTIME_DIR/softnet/softnet.sock or /tmp/softnet-$UID/softnet.sock)");

    public Option<string?> AdminHttp { get; } = Knob.Text("--admin-http", "ADDR:PORT", "also serve the admin API over HTTP (loopback only unless --admin-allow-remote)");

    public Option<bool> AdminAllowRemote { get; } = Knob.Flag("--admin-allow-remote", "allow a non-loopback --admin-http address (the token still travels in clear text)");

    public Option<string?> AdminTokenFile { get; } = Knob.Text("--admin-token-file", "PATH", "bearer token for --admin-http (mode 0600); default: generated into a 0600 file beside the admin socket (softnet.sock -> softnet.token), removed at exit");

    public Option<string?> MetricsHttp { get; } = Knob.Text("--metrics-http", "ADDR:PORT", "a read-only listener of its own: GET /metrics only, no token (also with --no-admin)");

    public Option<bool> NoAdmin { get; } = Knob.Flag("--no-admin", "no admin endpoint");

    public Option<bool> Json { get; } = Knob.Flag("--json", "print the final report as one JSON object");

    public OverloadKnobs Overload { get; } = new();

    public VerbCommand Command()
    {
        var command = new VerbCommand("serve", "receive on a UDP address until SIGINT/SIGTERM (echo or answer sockperf), with the admin endpoint")
        {
            ExitCodes = "0 ok, 1 the device or admin endpoint could not be set up, 2 bad usage or --rt-priority refused",
        };
        foreach (var option in new Option[]
        {
            BindAddress, Shared.Queues, Shared.Cpus, MaxDatagram, ReceiveBuffer, Shared.Mode, Shared.Backend, IfName, Reply, Shared.RpsCpus, DeferHardIrqs, GroFlushTimeout, IrqSuspendTimeout,
            BusyPollUsecs, BusyPollBudget, PreferBusyPoll, ReusePortShare, Admin, AdminHttp, AdminAllowRemote, AdminTokenFile,
            MetricsHttp, NoAdmin, Json,
        })
        {
            command.Add(option);
        }
        Overload.AddTo(command);
        return command;
    }

    public ServeOptions Bind(ParseResult r)
    {
        string bind = r.GetValue(BindAddress) ?? throw new UsageException("--bind ADDR:PORT is required, e.g. --bind 127.0.0.1:11111");
        return new ServeOptions
        {
            Bind = ServeOptions.ParseEndPoint("--bind", bind),
            Queues = Shared.BindQueues(r),
            Cpus = r.GetValue(Shared.Cpus),
            MaxDatagram = r.GetValue(MaxDatagram),
            ReceiveBufferBytes = r.GetValue(ReceiveBuffer),
            Mode = Shared.BindMode(r),
            Backend = Shared.BindBackend(r),
            IfName = r.GetValue(IfName) ?? "udp0",
            Reply = Enum.Parse<ReplyMode>(r.GetValue(Reply)!, ignoreCase: true),
            RpsCpus = r.GetValue(Shared.RpsCpus) ?? "",
            DeferHardIrqs = (int)r.GetValue(DeferHardIrqs),
            GroFlushTimeoutNs = r.GetValue(GroFlushTimeout),
            IrqSuspendTimeoutNs = r.GetValue(IrqSuspendTimeout),
            BusyPollUsecs = r.GetValue(BusyPollUsecs),
            BusyPollBudget = r.GetValue(BusyPollBudget),
            PreferBusyPoll = r.GetValue(PreferBusyPoll),
            ReusePortShare = r.GetValue(ReusePortShare),
            AdminPath = r.GetValue(Admin),
            AdminHttp = r.GetValue(AdminHttp) is { } http ? ServeOptions.Unmapped(ServeOptions.ParseEndPoint("--admin-http", http)) : null,
            AdminAllowRemote = r.GetValue(AdminAllowRemote),
            AdminTokenFile = r.GetValue(AdminTokenFile),
            MetricsHttp = r.GetValue(MetricsHttp) is { } metrics ? ServeOptions.Unmapped(ServeOptions.ParseEndPoint("--metrics-http", metrics)) : null,
            NoAdmin = r.GetValue(NoAdmin),
            Json = r.GetValue(Json),
            Overload = Overload.Bind(r),
        }.Checked();
    }

    private static Option<long> Napi(string name, string valueName, NapiConfigRange range, string help) =>
        Knob.Int64(name, valueName, range.Min, range.Max, 0, help);
}
