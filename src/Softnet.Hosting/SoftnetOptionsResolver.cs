using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Overload;

namespace Softnet.Hosting;

/// <summary>
/// Turns the configuration section into the library's <see cref="NetStackOptions"/> and <see cref="UdpDeviceOptions"/>,
/// collecting every problem: unset settings keep the library's defaults and set ones are checked by the library's own
/// validation, so the ranges live in one place.
/// </summary>
internal static class SoftnetOptionsResolver
{
    public static (NetStackOptions Stack, UdpDeviceOptions? Udp, IReadOnlyList<string> Failures) Resolve(SoftnetOptions options)
    {
        var failures = new List<string>();
        var stack = Knob<NetStackOptions>.Collect(new NetStackOptions(), StackKnobs(options, failures), o => o.Validate(), SoftnetOptions.SectionName, failures);
        UdpDeviceOptions? udp = null;
        if (options.Udp is { } u)
        {
            string section = SoftnetOptions.SectionName + ":Udp";
            udp = Knob<UdpDeviceOptions>.Collect(new UdpDeviceOptions(), UdpKnobs(u, section, failures), o => o.Validate(stack.Cpus), section, failures);
        }

        return (stack, udp, failures);
    }

    private static IEnumerable<Knob<NetStackOptions>> StackKnobs(SoftnetOptions o, List<string> failures)
    {
        if (o.Cpus is { } cpus)
            yield return new(nameof(o.Cpus), s => s with { Cpus = cpus });
        if (o.Mode is { } modeText)
        {
            if (KickModes.TryParse(modeText, out var mode))
                yield return new(nameof(o.Mode), s => s with { Mode = mode });
            else
                failures.Add($"{SoftnetOptions.SectionName}:{nameof(o.Mode)} must be one of {string.Join(", ", Enum.GetValues<KickMode>().Select(m => m.Name()))} (got '{modeText}')");
        }

        if (o.NetdevMaxBacklog is { } backlog)
            yield return new(nameof(o.NetdevMaxBacklog), s => s with { NetdevMaxBacklog = backlog });
        if (o.NetdevBudget is { } budget)
            yield return new(nameof(o.NetdevBudget), s => s with { NetdevBudget = budget });
        if (o.NetdevBudgetUsecs is { } usecs)
            yield return new(nameof(o.NetdevBudgetUsecs), s => s with { NetdevBudgetUsecs = usecs });
        if (o.DevWeight is { } weight)
            yield return new(nameof(o.DevWeight), s => s with { DevWeight = weight });
        if (o.RpsCpus is { } rps)
            yield return new(nameof(o.RpsCpus), s => s with { RpsCpus = rps });
        if (o.FlowLimit is { } flowLimit)
            yield return new(nameof(o.FlowLimit), s => s with { FlowLimit = flowLimit });
        if (o.FlowLimitTableLen is { } tableLen)
            yield return new(nameof(o.FlowLimitTableLen), s => s with { FlowLimitTableLen = tableLen });
        if (o.SkbDeferMax is { } deferMax)
            yield return new(nameof(o.SkbDeferMax), s => s with { SkbDeferMax = deferMax });
        if (o.PacketBufferSize is { } bufferSize)
            yield return new(nameof(o.PacketBufferSize), s => s with { PacketBufferSize = bufferSize });
        if (o.PacketPoolSize is { } poolSize)
            yield return new(nameof(o.PacketPoolSize), s => s with { PacketPoolSize = poolSize });
        if (o.PacketPoolLimit is { } poolLimit)
            yield return new(nameof(o.PacketPoolLimit), s => s with { PacketPoolLimit = poolLimit });
        if (o.Pin is { } pin)
            yield return new(nameof(o.Pin), s => s with { Pin = pin });
        if (o.ShutdownDrainTimeout is { } drain)
            yield return new(nameof(o.ShutdownDrainTimeout), s => s with { ShutdownDrainTimeout = drain });
        if (o.RtPriority is { } rtPriority)
            yield return new(nameof(o.RtPriority), s => s with { RtPriority = rtPriority });
        if (o.RtPriorityFallback is { } rtFallback)
            yield return new(nameof(o.RtPriorityFallback), s => s with { RtPriorityFallback = rtFallback });
        if (o.Overload is { } overloadText)
        {
            if (OverloadModes.TryParse(overloadText, out var overload))
                yield return new(nameof(o.Overload), s => s with { Overload = overload });
            else
                failures.Add($"{SoftnetOptions.SectionName}:{nameof(o.Overload)} must be one of {string.Join(", ", Enum.GetValues<OverloadMode>().Select(m => m.Name()))} (got '{overloadText}')");
        }

        if (o.OverloadCpuShare is { } cpuShare)
            yield return new(nameof(o.OverloadCpuShare), s => s with { OverloadCpuShare = cpuShare });
        if (o.OverloadDemote is { } demote)
            yield return new(nameof(o.OverloadDemote), s => s with { OverloadDemote = demote });
        if (o.OverloadPeriod is { } period)
            yield return new(nameof(o.OverloadPeriod), s => s with { OverloadPeriod = period });
        if (o.OverloadBudgetSlice is { } slice)
            yield return new(nameof(o.OverloadBudgetSlice), s => s with { OverloadBudgetSlice = slice });
    }

    private static IEnumerable<Knob<UdpDeviceOptions>> UdpKnobs(SoftnetUdpOptions o, string section, List<string> failures)
    {
        if (o.Name is { } name)
            yield return new(nameof(o.Name), d => d with { Name = name });
        if (o.Bind is { } bindText)
        {
            if (EndPointText.TryParse(bindText, $"{section}:{nameof(o.Bind)}", out var bind, out string error))
                yield return new(nameof(o.Bind), d => d with { Bind = bind });
            else
                failures.Add(error);
        }

        if (o.Queues is { } queues)
            yield return new(nameof(o.Queues), d => d with { Queues = queues });
        if (o.MaxChannels is { } maxChannels)
            yield return new(nameof(o.MaxChannels), d => d with { MaxChannels = maxChannels });
        if (o.ReceiveBufferBytes is { } rcvbuf)
            yield return new(nameof(o.ReceiveBufferBytes), d => d with { ReceiveBufferBytes = rcvbuf });
        if (o.SendBufferBytes is { } sndbuf)
            yield return new(nameof(o.SendBufferBytes), d => d with { SendBufferBytes = sndbuf });
        if (o.CpuSteering is { } steering)
            yield return new(nameof(o.CpuSteering), d => d with { CpuSteering = steering });
        if (o.IrqAffinity is { } affinity)
            yield return new(nameof(o.IrqAffinity), d => d with { IrqAffinity = affinity });
        if (o.DeferHardIrqs is { } defer)
            yield return new(nameof(o.DeferHardIrqs), d => d with { DeferHardIrqs = defer });
        if (o.GroFlushTimeoutNs is { } gro)
            yield return new(nameof(o.GroFlushTimeoutNs), d => d with { GroFlushTimeoutNs = gro });
        if (o.IrqSuspendTimeoutNs is { } irqSuspend)
            yield return new(nameof(o.IrqSuspendTimeoutNs), d => d with { IrqSuspendTimeoutNs = irqSuspend });
        if (o.ReusePortShare is { } share)
            yield return new(nameof(o.ReusePortShare), d => d with { ReusePortShare = share });
        if (o.Weight is { } napiWeight)
            yield return new(nameof(o.Weight), d => d with { Weight = napiWeight });
    }
}
