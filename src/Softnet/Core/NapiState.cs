namespace Softnet.Core;

/// <summary>The NAPI state bits, with the kernel's meanings (NAPI_STATE_SCHED, NAPI_STATE_MISSED, ...).</summary>
[Flags]
public enum NapiState
{
    /// <summary>No bit set.</summary>
    None = 0,

    /// <summary>Ownership token: set by whoever wins the schedule, cleared on completion.</summary>
    Sched = 1 << 0,

    /// <summary>A schedule arrived while owned: completion polls once more.</summary>
    Missed = 1 << 1,

    /// <summary>A disable is in progress: schedules fail.</summary>
    Disable = 1 << 2,

    /// <summary>Held with SCHED while disabled: completion is a no-op.</summary>
    Npsvc = 1 << 3,

    /// <summary>Registered on its device's NAPI list.</summary>
    Listed = 1 << 4,

    /// <summary>A busy-poller owns the NAPI: completion keeps SCHED and the queue masked.</summary>
    InBusyPoll = 1 << 6,

    /// <summary>A busy-poller asked for the NAPI: an exhausted softirq poll gives it up instead of repolling.</summary>
    PreferBusyPoll = 1 << 7,

    /// <summary>Scheduling wakes the NAPI's own thread instead of a CPU's poll list.</summary>
    Threaded = 1 << 8,

    /// <summary>The NAPI's thread owns this round; the thread sleeps until it sees this bit.</summary>
    SchedThreaded = 1 << 9,

    /// <summary>The NAPI's thread polls without sleeping.</summary>
    ThreadedBusyPoll = 1 << 11,
}
