namespace Softnet.Simulation.Scenarios;

/// <summary>What a fault does; the scheduler decides when, relative to every other step.</summary>
internal enum FaultKind
{
    /// <summary>SetCpuOffline(A).</summary>
    Offline,

    /// <summary>SetCpuOnline(A).</summary>
    Online,

    /// <summary>SetChannels(A): NAPIs deleted (threads parked) or added (parked threads reused).</summary>
    Channels,

    /// <summary>dev-set threaded = (ThreadedMode)A.</summary>
    DeviceThreaded,

    /// <summary>napi-set threaded = (ThreadedMode)B on queue A (or the work NAPI).</summary>
    NapiThreaded,

    /// <summary>napi-set defer-hard-irqs = B, gro-flush-timeout = 50 µs on queue A.</summary>
    Deferral,

    /// <summary>The next poll of queue A throws: before any work (B = 0) or after completing (B = 1).</summary>
    PollThrow,

    /// <summary>napi_disable, then napi_enable and a schedule (the work NAPI).</summary>
    DisableEnable,

    /// <summary>A jump of the virtual clock by A microseconds (IRQ deferral timers and time slices expire).</summary>
    ClockJump,
}

/// <summary>One fault of a scenario.</summary>
internal sealed record Fault(FaultKind Kind, int A = 0, int B = 0)
{
    public override string ToString() => Kind switch
    {
        FaultKind.Offline => $"cpu {A} offline",
        FaultKind.Online => $"cpu {A} online",
        FaultKind.Channels => $"channels {A}",
        FaultKind.DeviceThreaded => $"dev threaded {Core.ThreadedModes.Name((Core.ThreadedMode)A)}",
        FaultKind.NapiThreaded => $"queue {A} threaded {Core.ThreadedModes.Name((Core.ThreadedMode)B)}",
        FaultKind.Deferral => $"queue {A} defer-hard-irqs {B}",
        FaultKind.PollThrow => $"queue {A} poll throws {(B == 0 ? "before work" : "after completing")}",
        FaultKind.DisableEnable => "napi disable/enable",
        FaultKind.ClockJump => $"clock +{A} us",
        _ => Kind.ToString(),
    };
}
