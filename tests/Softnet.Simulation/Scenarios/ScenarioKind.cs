namespace Softnet.Simulation.Scenarios;

/// <summary>The shapes of simulated runs.</summary>
internal enum ScenarioKind
{
    /// <summary>Schedulers on several CPUs hammer one NAPI (schedule once, MISSED, disable during poll, threaded toggles).</summary>
    Napi,

    /// <summary>Senders on pinned CPUs through the loopback device, RPS, backlogs, hotplug.</summary>
    Loopback,

    /// <summary>A multi-queue device with interrupts, deferral watchdogs, channel changes, threaded modes, hotplug.</summary>
    Device,
}
