namespace Softnet.Scheduling;

/// <summary>What a NAPI thread does after one <see cref="IThreadedPoll.PollRound"/>.</summary>
internal enum ThreadedRound
{
    /// <summary>The NAPI completed, or is no longer the thread's: wait for the next SCHED_THREADED.</summary>
    Done,

    /// <summary>Work is left, or the thread busy-polls: go again after the yield point.</summary>
    Again,

    /// <summary>The CPU is out of budget: sleep out the period, keeping the NAPI.</summary>
    Throttled,
}
