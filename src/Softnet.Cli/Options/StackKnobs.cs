using System.CommandLine;
using Softnet.Cli.CommandLine;
using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Cli.Options;

/// <summary>
/// The stack and UDP device knobs <c>run</c> and <c>serve</c> share, declared and bound once; each command words the
/// help where the knob means something of its own there (which device, what the default is).
/// </summary>
internal sealed class StackKnobs(string cpusHelp, string queuesHelp, string queuesDefault, string backendHelp, string rpsCpusHelp)
{
    public Option<string> Mode { get; } = Knob.Choice("--mode", "MODE", ["softirq", "backlog-threads"], "softirq", "who runs the receive path");

    public Option<int> Cpus { get; } = Knob.Int32("--cpus", "N", 1, 1024, Environment.ProcessorCount, cpusHelp, "the CPUs this process may use");

    public Option<int?> Queues { get; } = Knob.OptionalInt32("--queues", "N", 1, UdpDeviceOptions.MaxQueues, queuesHelp, queuesDefault);

    public Option<string> Backend { get; } = Knob.Choice("--backend", "NAME", BackendNames.All, "epoll", backendHelp + "; io_uring falls back to epoll with one log line where the kernel refuses it");

    public Option<string?> RpsCpus { get; } = Knob.Text("--rps-cpus", "MASK", rpsCpusHelp);

    public KickMode BindMode(ParseResult r) => KickModes.TryParse(r.GetValue(Mode)!, out var mode) ? mode : KickMode.Softirq;

    public int BindQueues(ParseResult r) => r.GetValue(Queues) ?? 0;

    public UdpBackend BindBackend(ParseResult r) => BackendNames.Parse(r.GetValue(Backend)!);
}
