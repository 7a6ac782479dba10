using System.Net;
using Softnet.Admin;
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
    private delegate bool TryParse<T>(string text, out T value);

    public static (NetStackOptions Stack, UdpDeviceOptions? Udp, ThreadedMode Threaded, AdminOptions Admin, IReadOnlyList<string> Failures) Resolve(SoftnetOptions options)
    {
        var failures = new List<string>();
        var stack = Knob<NetStackOptions>.Collect(new NetStackOptions(), StackKnobs(options, failures), o => o.Validate(), SoftnetOptions.SectionName, failures);
        UdpDeviceOptions? udp = null;
        var threaded = ThreadedMode.Disabled;
        if (options.Udp is { } u)
        {
            string section = SoftnetOptions.SectionName + ":Udp";
            udp = Knob<UdpDeviceOptions>.Collect(new UdpDeviceOptions(), UdpKnobs(u, section, failures), o => o.Validate(stack.Cpus), section, failures);
            if (u.Threaded is { } threadedText)
                Word<ThreadedMode>(threadedText, $"{section}:{nameof(u.Threaded)}", ThreadedModes.TryParse, Enum.GetValues<ThreadedMode>().Select(m => m.Name()), failures, out threaded);
        }

        var admin = options.Admin is { } a ? Admin(a, SoftnetOptions.SectionName + ":Admin", failures) : new AdminOptions();
        return (stack, udp, threaded, admin, failures);
    }

    /// <summary>The admin endpoint's settings; its endpoints parse here, and the server checks the rest when it starts.</summary>
    private static AdminOptions Admin(SoftnetAdminOptions o, string section, List<string> failures)
    {
        var admin = new AdminOptions
        {
            Name = o.Name ?? AdminPaths.DefaultName,
            HttpEndPoint = o.Http is { } http ? EndPoint(http, $"{section}:{nameof(o.Http)}", failures) : null,
            AllowRemote = o.AllowRemote ?? false,
            TokenFile = o.TokenFile,
            MetricsEndPoint = o.Metrics is { } metrics ? EndPoint(metrics, $"{section}:{nameof(o.Metrics)}", failures) : null,
        };

        // Unset, the socket path follows the name.
        return o.UnixSocketPath is { } path ? admin with { UnixSocketPath = path } : admin;
    }

    private static IPEndPoint? EndPoint(string text, string option, List<string> failures)
    {
        if (EndPointText.TryParse(text, option, out var endPoint, out string error))
            return endPoint;
        failures.Add(error);
        return null;
    }

    private static IEnumerable<Knob<NetStackOptions>> StackKnobs(SoftnetOptions o, List<string> failures)
    {
        if (o.Cpus is { } cpus)
            yield return new(nameof(o.Cpus), s => s with { Cpus = cpus });
        if (o.Mode is { } modeText && Word<KickMode>(modeText, Option(nameof(o.Mode)), KickModes.TryParse, Enum.GetValues<KickMode>().Select(m => m.Name()), failures, out var mode))
            yield return new(nameof(o.Mode), s => s with { Mode = mode });

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
        if (o.SchedSlice is { } schedSlice)
            yield return new(nameof(o.SchedSlice), s => s with { SchedSlice = schedSlice });
        if (o.HousekeepingCpus is { } housekeeping)
            yield return new(nameof(o.HousekeepingCpus), s => s with { HousekeepingCpus = housekeeping });
        if (o.Overload is { } overloadText && Word<OverloadMode>(overloadText, Option(nameof(o.Overload)), OverloadModes.TryParse, OverloadNames, failures, out var overload))
            yield return new(nameof(o.Overload), s => s with { Overload = overload });
        if (o.OverloadCpuShare is { } cpuShare)
            yield return new(nameof(o.OverloadCpuShare), s => s with { OverloadCpuShare = cpuShare });
        if (o.OverloadDemote is { } demote)
            yield return new(nameof(o.OverloadDemote), s => s with { OverloadDemote = demote });
        if (o.OverloadPeriod is { } period)
            yield return new(nameof(o.OverloadPeriod), s => s with { OverloadPeriod = period });
        if (o.OverloadThresholds is { } thresholds)
            yield return new(nameof(o.OverloadThresholds), s => s with { OverloadThresholds = Thresholds(s.OverloadThresholds, thresholds) });
        if (o.Metrics is { } metrics)
            yield return new(nameof(o.Metrics), s => s with { Metrics = metrics });
        if (o.OverloadBudgetSlice is { } slice)
            yield return new(nameof(o.OverloadBudgetSlice), s => s with { OverloadBudgetSlice = slice });

        static string Option(string name) => $"{SoftnetOptions.SectionName}:{name}";
    }

    private static OverloadThresholds Thresholds(OverloadThresholds t, SoftnetOverloadThresholdsOptions o) => t with
    {
        PressuredHigh = o.PressuredHigh ?? t.PressuredHigh,
        PressuredLow = o.PressuredLow ?? t.PressuredLow,
        OverloadedHigh = o.OverloadedHigh ?? t.OverloadedHigh,
        OverloadedLow = o.OverloadedLow ?? t.OverloadedLow,
        EnterDwell = o.EnterDwell ?? t.EnterDwell,
        LeaveDwell = o.LeaveDwell ?? t.LeaveDwell,
        FlapWindow = o.FlapWindow ?? t.FlapWindow,
        MaxLeaveDwell = o.MaxLeaveDwell ?? t.MaxLeaveDwell,
    };

    private static IEnumerable<Knob<UdpDeviceOptions>> UdpKnobs(SoftnetUdpOptions o, string section, List<string> failures)
    {
        if (o.Name is { } name)
            yield return new(nameof(o.Name), d => d with { Name = name });
        if (o.Bind is { } bindText && EndPoint(bindText, $"{section}:{nameof(o.Bind)}", failures) is { } bind)
            yield return new(nameof(o.Bind), d => d with { Bind = bind });

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
        if (o.Backend is { } backendText && Word<UdpBackend>(backendText, $"{section}:{nameof(o.Backend)}", TryParseBackend, Enum.GetNames<UdpBackend>(), failures, out var backend))
            yield return new(nameof(o.Backend), d => d with { Backend = backend });
        if (o.Protected is { } protectedTexts && ProtectedFlows(protectedTexts, $"{section}:{nameof(o.Protected)}", failures) is { } flows)
            yield return new(nameof(o.Protected), d => d with { Protected = flows });
        if (o.Overload is { } overloadText && Word<OverloadMode>(overloadText, $"{section}:{nameof(o.Overload)}", OverloadModes.TryParse, OverloadNames, failures, out var overload))
            yield return new(nameof(o.Overload), d => d with { Overload = overload });
        if (o.ShedShare is { } shedShare)
            yield return new(nameof(o.ShedShare), d => d with { ShedShare = shedShare });
    }

    private static IEnumerable<string> OverloadNames => Enum.GetValues<OverloadMode>().Select(m => m.Name());

    /// <summary>A setting that is one of a few words: parsed, or a failure naming <paramref name="option"/> and every word it may be.</summary>
    private static bool Word<T>(string text, string option, TryParse<T> parse, IEnumerable<string> allowed, List<string> failures, out T value)
    {
        if (parse(text, out value))
            return true;
        failures.Add($"{option} must be one of {string.Join(", ", allowed)} (got '{text}')");
        return false;
    }

    /// <summary>A backend by its name in any case; numbers, which <see cref="Enum.TryParse{TEnum}(string?, bool, out TEnum)"/> would take, are refused.</summary>
    private static bool TryParseBackend(string text, out UdpBackend backend)
    {
        backend = UdpBackend.Epoll;
        return Enum.GetNames<UdpBackend>().Any(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase))
            && Enum.TryParse(text.Trim(), ignoreCase: true, out backend);
    }

    /// <summary>Every entry parsed, or null with one failure for each entry that does not parse, naming its index.</summary>
    private static ProtectedFlow[]? ProtectedFlows(string[] texts, string option, List<string> failures)
    {
        var flows = new ProtectedFlow[texts.Length];
        bool ok = true;
        for (int i = 0; i < texts.Length; i++)
        {
            if (ProtectedFlow.TryParse(texts[i], out var flow, out string error))
            {
                flows[i] = flow!;
            }
            else
            {
                failures.Add($"{option}:{i} must be {ProtectedFlow.Syntax}: {error} (got '{texts[i]}')");
                ok = false;
            }
        }

        return ok ? flows : null;
    }
}
