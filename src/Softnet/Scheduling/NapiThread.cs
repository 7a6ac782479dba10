using System.Runtime.CompilerServices;

namespace Softnet.Scheduling;

/// <summary>
/// A thread that polls one NAPI at a time (napi_threaded_poll): a per-CPU <c>backlog_napi/N</c> thread or a device
/// NAPI's <c>napi/&lt;dev&gt;-&lt;id&gt;</c> thread. It sleeps until it sees SCHED_THREADED — never on the wake-up
/// alone — so a wake with nothing to do costs one check and a wake that races with sleep is not lost.
/// </summary>
internal sealed class NapiThread
{
    private readonly IPlatform _platform;
    private readonly IWaiter _waiter;
    private IThreadedPoll? _napi;
    private bool _stop;
    private long _sleeps;

    /// <summary>Starts the thread through <paramref name="start"/>, which names and pins it and runs the loop it is given.</summary>
    public NapiThread(IPlatform platform, Func<Action, IThreadHandle> start)
    {
        _platform = platform;
        _waiter = platform.CreateWaiter();
        Handle = start(Loop);
    }

    public IThreadHandle Handle { get; }

    /// <summary>Whether the thread keeps polling without sleeping (threaded busy-poll).</summary>
    public bool BusyPoll { get; set; }

    /// <summary>The NAPI this thread serves (the thread node's back-pointer); null while parked.</summary>
    public IThreadedPoll? Napi
    {
        get => Volatile.Read(ref _napi);
        set
        {
            Volatile.Write(ref _napi, value);
            _waiter.Wake();
        }
    }

    /// <summary>The unconditional wake of the threaded schedule path; the caller has set SCHED_THREADED first. True when the thread was asleep.</summary>
    public bool Wake() => _waiter.Wake();

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
            bool wasWoken = woken;
            woken = false;
            if (napi is null || !napi.OwnedByThread(wasWoken))
#else
            if (napi is null || !napi.OwnedByThread(woken: false))
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

    /// <remarks>Optimised at its first call, as <see cref="Core.Ksoftirqd"/>'s loop is: under a flood it does not return,
    /// and its on-stack replacement would be compiled by the packet thread itself in the middle of the flood.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PollUntilIdle(IThreadedPoll napi)
    {
        var slice = default(TimeSlice);
        slice.Start(_platform);
        while (true)
        {
            var round = napi.PollRound(this, out long waitNs);
            if (round == ThreadedRound.Throttled)
            {
                _waiter.Wait(waitNs);
                if (_stop || Napi != napi)
                    break;
                continue;
            }
            if (round == ThreadedRound.Done || Volatile.Read(ref _stop) || Napi != napi)
                break;
            slice.CondResched(_platform);
        }
        // Rescheduled while finishing: pass the yield point before going again so a flooded NAPI cannot starve its CPU.
        if (napi.OwnedByThread(woken: false))
            slice.CondResched(_platform);
    }
}
