using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>napi_set_threaded and the thread's lifecycle: created before THREADED is set, stopped only once idle.</summary>
public abstract partial class Napi : IThreadedPoll
{
    /// <summary>The CPU this NAPI's thread polls for (a backlog's own); null for a device NAPI's thread, which polls for the CPU it runs on.</summary>
    internal SoftnetData? ThreadHome { get; init; }

    /// <summary>
    /// Switches the threaded mode. Enabling creates the thread first (so a schedule never sees THREADED without
    /// one); disabling lets the thread finish the round it owns, then stops it and hands the NAPI back to softirq.
    /// The mode is also recorded in the NAPI's config. Callers serialize control operations per device.
    /// </summary>
    internal void SetThreadedMode(ThreadedMode mode)
    {
        if (mode == ThreadedMode.Disabled)
        {
            StopThread();
        }
        else
        {
            var thread = Thread ??= new NapiThread(Stack.Platform, loop => Stack.StartThread(ThreadName(), null, loop)) { Napi = this };
            thread.BusyPoll = mode == ThreadedMode.BusyPoll;
            if (!Has(NapiState.Npsvc))
            {
                SetBits(NapiState.Threaded);
                if (mode == ThreadedMode.BusyPoll)
                    SetBits(NapiState.ThreadedBusyPoll);
                else
                    ClearBits(NapiState.ThreadedBusyPoll);
            }
            // Busy-poll starts spinning now rather than at the next interrupt.
            if (mode == ThreadedMode.BusyPoll && !Has(NapiState.Npsvc))
                Schedule();
        }
        if (Config is { } config)
            config.Threaded = mode;
    }

    /// <summary>napi_stop_kthread: wait until idle or owned by the thread, clear THREADED, wait for the thread's round to end, stop it.</summary>
    private void StopThread()
    {
        if (Thread is not { } thread)
            return;
        int attempt = 0;
        while (true)
        {
            var s = State;
            bool idle = (s & NapiState.Sched) == 0 || (s & (NapiState.SchedThreaded | NapiState.Npsvc)) != 0;
            if (idle)
            {
                ClearBits(NapiState.Threaded | NapiState.ThreadedBusyPoll);
                break;
            }
            Stack.Platform.Backoff(attempt++);
        }
        attempt = 0;
        while (Has(NapiState.SchedThreaded))
            Stack.Platform.Backoff(attempt++);
        thread.Stop();
        thread.Handle.Join(Timeout.InfiniteTimeSpan);
        Thread = null;
    }

#if SIMULATION
    bool IThreadedPoll.OwnedByThread(bool woken) => Has(NapiState.SchedThreaded) || (woken && PlantedBugs.ConditionalWakeup);

    private bool OwnsRound => Has(NapiState.SchedThreaded) || PlantedBugs.ConditionalWakeup;
#else
    bool IThreadedPoll.OwnedByThread(bool woken) => Has(NapiState.SchedThreaded);

    private bool OwnsRound => Has(NapiState.SchedThreaded);
#endif

    /// <summary>One round of napi_threaded_poll on behalf of the CPU the thread polls for.</summary>
    ThreadedRound IThreadedPoll.PollRound(NapiThread thread, out long waitNs)
    {
        waitNs = 0;
        // Busy-poll is wanted while the mode says so and no disable is pending; IN_BUSY_POLL keeps completion from
        // clearing SCHED_THREADED, so the thread keeps going and the queue stays masked.
        bool busy = Has(NapiState.ThreadedBusyPoll) && !Has(NapiState.Disable);
        if (busy != Has(NapiState.InBusyPoll))
        {
            if (busy)
                SetBits(NapiState.InBusyPoll);
            else
                ClearBits(NapiState.InBusyPoll);
        }
        var cpu = ThreadHome ?? Stack.CurrentSoftnet();
        Stack.Realtime.Follow(cpu.CpuOverload.State);
        // Out of CPU budget: keep the NAPI (its queue stays masked) and sleep out the period.
        long now = Stack.Platform.NowNs();
        long throttledUntil = cpu.CpuOverload.ThrottledUntilNs;
        if (now < throttledUntil && Budgeted)
        {
            waitNs = throttledUntil - now;
            return ThreadedRound.Throttled;
        }
        bool repoll;
        using (var bh = cpu.EnterBh())
        {
            // Parked meanwhile (CPU offline, NAPI deleted): the park cleared the thread's NAPI before taking this lock,
            // and kthread_park returns only once the thread is off the CPU, so what it hands over is no longer ours.
            // Parked and unparked again while the thread was off the CPU, it holds this NAPI once more, but the
            // hand-over cleared its SCHED bits and a local enqueue may have claimed it for the poll list since: like
            // napi_threaded_poll, poll only what is marked SCHED_THREADED now.
            if (thread.Napi != this || !OwnsRound)
                return ThreadedRound.Done;
            PollRound(bh, out repoll);
        }
        return repoll || busy ? ThreadedRound.Again : ThreadedRound.Done;
    }

    private string ThreadName() => $"napi/{Device?.Name ?? "none"}-{Id}";
}
