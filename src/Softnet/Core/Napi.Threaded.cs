using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>napi_set_threaded and the thread's lifecycle: created before THREADED is set, stopped only once idle.</summary>
public abstract partial class Napi
{
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
            var thread = Thread ??= new NapiThread(Stack, ThreadName(), home: null) { Napi = this };
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

    private string ThreadName() => $"napi/{Device?.Name ?? "none"}-{Id}";
}
