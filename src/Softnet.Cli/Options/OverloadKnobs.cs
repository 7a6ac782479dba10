using System.CommandLine;
using Softnet.Cli.CommandLine;
using Softnet.Devices.Udp;
using Softnet.Overload;
using Softnet.Scheduling;

namespace Softnet.Cli.Options;

/// <summary>The real-time and overload-control knobs <c>run</c> and <c>serve</c> share, declared once.</summary>
internal sealed class OverloadKnobs
{
    public Option<int> RtPriority { get; } = Knob.Int32("--rt-priority", "N", 1, 99, 0, "SCHED_FIFO priority for ksoftirqd, backlog_napi and NAPI threads", "SCHED_OTHER");

    public Option<bool> RtPriorityFallback { get; } = Knob.Flag("--rt-priority-fallback", "if SCHED_FIFO is refused, run SCHED_OTHER and say so instead of failing");

    public Option<int> SchedSliceUs { get; } = Knob.Int32("--sched-slice-us", "N", 100, 100_000, 0, "the EEVDF slice SCHED_OTHER packet threads ask for (sched_setattr sched_runtime, Linux 6.12+)", "the kernel's base slice");

    public Option<string?> HousekeepingCpus { get; } = Knob.Text("--housekeeping-cpus", "LIST", "OS CPUs (e.g. 0 or 0-1,3) for every thread that is not a packet thread (thread pool, admin, timers, runtime); the packet threads run on the other allowed CPUs. Default: no confinement");

    public Option<string> Overload { get; } = Knob.Choice("--overload", "MODE", ["off", "auto"], "off", "auto stops the packet threads for the rest of a budget slice (--overload-slice-us) once they used --overload-cpu-share of it; off detects and reports only");

    public Option<int> OverloadCpuShare { get; } = Knob.Int32("--overload-cpu-share", "P", 1, 100, 90, "percent of each CPU the packet threads may poll per budget slice");

    public Option<int> OverloadSliceUs { get; } = Knob.Int32("--overload-slice-us", "N", 100, 10_000, 0, "with auto: the CPU budget's slice in µs; the packet threads run at most about share × slice before giving the CPU away", "1000 with --rt-priority, else no budget");

    public Option<bool> OverloadDemote { get; } = Knob.Flag("--overload-demote", "with --rt-priority: run SCHED_OTHER while the CPU is overloaded, FIFO when normal");

    public Option<int> OverloadShed { get; } = Knob.Int32("--overload-shed", "P", 0, 100, 0, "with auto: percent of the unprotected datagrams the kernel sheds (reuseport program, before any socket buffer) while a queue is overloaded");

    public Option<string[]> Protect { get; } = new("--protect")
    {
        HelpName = "SRC[/PREFIX][:PORT[-PORT]]",
        Description = $"repeatable, at most {ProtectedFlow.MaxPerDevice}: datagrams from these sources get a queue of their own, steered by the kernel, polled first, exempt from the CPU budget, never shed (e.g. --protect 127.0.0.1:7000 --protect [::1] --protect 10.0.0.0/24:5000-5099)",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<int> WorkUs { get; } = Knob.Int32("--work-us", "N", 0, 100_000, 0, "synthetic handler cost: spin N µs per datagram");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { RtPriority, RtPriorityFallback, SchedSliceUs, HousekeepingCpus, Overload, OverloadCpuShare, OverloadSliceUs, OverloadDemote, OverloadShed, Protect, WorkUs })
            command.Add(option);
    }

    public OverloadOptions Bind(ParseResult r) => new()
    {
        RtPriority = r.GetValue(RtPriority),
        RtPriorityFallback = r.GetValue(RtPriorityFallback),
        SchedSliceUs = r.GetValue(SchedSliceUs),
        HousekeepingCpus = r.GetValue(HousekeepingCpus) is { } housekeeping ? CheckHousekeeping(housekeeping) : null,
        Overload = OverloadModes.TryParse(r.GetValue(Overload)!, out var mode) ? mode : OverloadMode.Off,
        OverloadCpuShare = r.GetValue(OverloadCpuShare),
        OverloadSliceUs = r.GetValue(OverloadSliceUs),
        OverloadDemote = r.GetValue(OverloadDemote),
        OverloadShed = r.GetValue(OverloadShed),
        Protect = ParseProtect(r.GetValue(Protect) ?? []),
        WorkUs = r.GetValue(WorkUs),
    };

    private static string CheckHousekeeping(string text)
    {
        try
        {
            CpuList.SplitHousekeeping(text, SystemPlatform.Instance.AllowedOsCpus(), "--housekeeping-cpus");
            return text;
        }
        catch (ArgumentException e)
        {
            throw UsageException.From(e);
        }
    }

    private static ProtectedFlow[] ParseProtect(string[] sources)
    {
        if (sources.Length > ProtectedFlow.MaxPerDevice)
            throw new UsageException($"--protect can be given at most {ProtectedFlow.MaxPerDevice} times");
        return [.. sources.Select(text => ProtectedFlow.TryParse(text, out var flow, out string error)
            ? flow!
            : throw new UsageException($"--protect must be {ProtectedFlow.Syntax}: {error} (got '{text}')"))];
    }
}
