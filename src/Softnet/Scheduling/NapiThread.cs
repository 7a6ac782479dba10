using Softnet.Core;

namespace Softnet.Scheduling;

/// <summary>
/// A thread that polls one NAPI at a time (napi_threaded_poll): a per-CPU <c>backlog_napi/N</c> thread or a device
/// NAPI's <c>napi/&lt;dev&gt;-&lt;id&gt;</c> thread. It sleeps until it sees SCHED_THREADED — never on the wake-up
/// alone — so a wake with nothing to do costs one check and a wake that races with sleep is not lost.
/// </summary>
internal sealed class NapiThread
{
    private readonly NetStack _stack;
    private readonly IWaiter _waiter;
    private readonly SoftnetData? _home;
    private Napi? _napi;
    private bool _stop;
    private long _sleeps;

    /// <summary>Starts the thread; <paramref name="home"/> pins it to one CPU, otherwise it polls for whichever CPU it runs on.</summary>
    public NapiThread(NetStack stack, string name, SoftnetData? home)
    {
        _stack = stack;
        _home = home;
        _waiter = stack.Platform.CreateWaiter();
        Handle = stack.StartThread(name, home, Loop);
    }

    public IThreadHandle Handle { get; }

    /// <summary>Whether the thread keeps polling without sleeping (threaded busy-poll).</summary>
    public bool BusyPoll { get; set; }

    /// <summary>The NAPI this thread serves (the thread node's back-pointer); null while parked.</summary>
    public Napi? Napi
    {
        get => Volatile.Read(ref _napi);
        set
        {
            Volatile.Write(ref _napi, value);
            _waiter.Wake();
        }
    }

    /// <summary>
    /// The unconditional wake of the threaded schedule path; the caller has set SCHED_THREADED first. A real wake-up is
    /// counted on the woken thread's CPU, or on the waker's for a thread that has none.
    /// </summary>
    public void Wake(SoftnetData waker)
    {
        if (_waiter.Wake())
            Interlocked.Increment(ref (_home ?? waker).Remote.Wakeups);
    }

    public void Stop()
    {
        Volatile.Write(ref _stop, true);
        _waiter.Wake();
    }

#if SIMULATION
    private bool _sleeping;

    /// <summary>Whether the thread is between deciding to sleep and seeing work (the task state the planted bug reads).</summary>
    public bool Sleeping => Volatile.Read(ref _sleeping);

#endif
    /// <summary>Times the thread went to sleep; a busy-polling thread does not.</summary>
    public long Sleeps => Volatile.Read(ref _sleeps);

    private void Loop()
    {
#if SIMULATION
        bool woken = false;
#endif
        while (!Volatile.Read(ref _stop))
        {
            var napi = Napi;
#if SIMULATION
            // set_current_state(TASK_INTERRUPTIBLE): what the planted conditional wake-up looks at.
            Volatile.Write(ref _sleeping, true);
            bool owned = woken && PlantedBugs.ConditionalWakeup;
            woken = false;
            if (napi is null || !(napi.Has(NapiState.SchedThreaded) || owned))
#else
            if (napi is null || !napi.Has(NapiState.SchedThreaded))
#endif
            {
                Interlocked.Increment(ref _sleeps);
                _waiter.Wait(-1);
#if SIMULATION
                woken = true;
#endif
                continue;
            }
#if SIMULATION
            Volatile.Write(ref _sleeping, false);
#endif
            PollUntilIdle(napi);
        }
    }

    private void PollUntilIdle(Napi napi)
    {
        var slice = default(TimeSlice);
        slice.Start(_stack.Platform);
        while (true)
        {
            // Busy-poll is wanted while the mode says so and no disable is pending; IN_BUSY_POLL keeps completion from
            // clearing SCHED_THREADED, so the loop keeps going and the queue stays masked.
            bool busy = napi.Has(NapiState.ThreadedBusyPoll) && !napi.Has(NapiState.Disable);
            if (busy != napi.Has(NapiState.InBusyPoll))
            {
                if (busy)
                    napi.SetBits(NapiState.InBusyPoll);
                else
                    napi.ClearBits(NapiState.InBusyPoll);
            }
            var cpu = _home ?? _stack.CurrentSoftnet();
            _stack.Realtime.Follow(cpu.CpuOverload.State);
            // Out of CPU budget: keep the NAPI (its queue stays masked) and sleep out the period.
            long now = _stack.Platform.NowNs();
            long throttledUntil = cpu.CpuOverload.ThrottledUntilNs;
            if (now < throttledUntil && napi.Budgeted)
            {
                _waiter.Wait(throttledUntil - now);
                if (_stop || Napi != napi)
                    break;
                continue;
            }
            bool repoll;
            using (var bh = cpu.EnterBh())
            {
                // Parked meanwhile (CPU offline, NAPI deleted): the park cleared Napi before taking this lock, and
                // kthread_park returns only once the thread is off the CPU, so what it hands over is no longer ours.
                if (Napi != napi)
                    break;
                napi.PollRound(bh, out repoll);
            }
            if (Volatile.Read(ref _stop) || Napi != napi || (!repoll && !busy))
                break;
            slice.CondResched(_stack.Platform);
        }
        // Rescheduled while finishing: pass the yield point before going again so a flooded NAPI cannot starve its CPU.
        if (napi.Has(NapiState.SchedThreaded))
            slice.CondResched(_stack.Platform);
    }
}
