namespace Softnet.Core;

/// <summary>
/// Application busy polling (napi_busy_loop): the application's own thread polls a device's NAPIs, or one NAPI by id,
/// instead of waiting for their interrupts — the receive call or <c>epoll_wait</c> of a socket with SO_BUSY_POLL.
/// While it polls it owns each NAPI (SCHED | IN_BUSY_POLL), so it is the NAPI's one poller; packets go to the stack's
/// handler on the calling thread, in NAPI context of the CPU the thread runs on. One thread at a time uses a poller.
/// </summary>
public sealed class BusyPoller
{
    /// <summary>How long a call spins before it passes a yield point (cond_resched), as the stack's polling threads do.</summary>
    private const long TimeSliceNs = 1_000_000;

    private readonly NetStack _stack;
    private readonly NetDevice? _device;
    private readonly int _napiId;
    private Napi[] _napis = [];
    private bool[] _owned = [];
    private bool[] _claimed = [];
    private int _generation = -1;
    private long _calls;
    private long _polls;
    private long _packets;
    private long _emptyCalls;
    private long _busy;
    private long _suspends;
    private long _resumes;

    /// <summary>Polls every NAPI of <paramref name="device"/> (those added when each call starts).</summary>
    public BusyPoller(NetDevice device, BusyPollOptions? options = null)
        : this(device.Stack, options)
    {
        _device = device;
    }

    /// <summary>Polls the NAPI with id <paramref name="napiId"/> (as <see cref="Packet.NapiId"/> and napi-get report it).</summary>
    /// <exception cref="ArgumentException">No NAPI has that id (ENOENT).</exception>
    public BusyPoller(NetStack stack, int napiId, BusyPollOptions? options = null)
        : this(stack, options)
    {
        if (stack.FindNapi(napiId) is null)
            throw new ArgumentException($"ENOENT: no NAPI with id {napiId}", nameof(napiId));
        _napiId = napiId;
    }

    private BusyPoller(NetStack stack, BusyPollOptions? options)
    {
        options ??= new BusyPollOptions();
        options.Validate();
        _stack = stack;
        Options = options;
    }

    /// <summary>The busy-poll settings this poller runs with (poll time, budget, prefer-busy-poll), validated at construction.</summary>
    public BusyPollOptions Options { get; }

    /// <summary>Calls of <see cref="Poll"/>.</summary>
    public long Calls => Volatile.Read(ref _calls);

    /// <summary>NAPI polls the calls ran.</summary>
    public long Polls => Volatile.Read(ref _polls);

    /// <summary>Packets those polls took in (the kernel's BusyPollRxPackets).</summary>
    public long Packets => Volatile.Read(ref _packets);

    /// <summary>Calls that spun for busy_poll_usecs and found nothing.</summary>
    public long EmptyCalls => Volatile.Read(ref _emptyCalls);

    /// <summary>Times a call found a NAPI owned by someone else and could not poll it.</summary>
    public long Busy => Volatile.Read(ref _busy);

    /// <summary>napi_suspend_irqs: calls that found packets and kept a NAPI's interrupt suspended for irq-suspend-timeout.</summary>
    public long IrqSuspends => Volatile.Read(ref _suspends);

    /// <summary>napi_resume_irqs: calls that found nothing and handed a NAPI with irq-suspend-timeout back to the softirq.</summary>
    public long IrqResumes => Volatile.Read(ref _resumes);

    /// <summary>
    /// Busy-polls until a poll takes in packets or busy_poll_usecs pass, then stops as busy_poll_stop does: a last poll
    /// lets each driver complete (or, preferring busy polling, the watchdog keeps the queue masked). With
    /// prefer_busy_poll, a call that found packets suspends the NAPIs' interrupts for irq-suspend-timeout and one that
    /// found nothing resumes them. Not for NAPI context (a handler).
    /// </summary>
    public BusyPollResult Poll()
    {
        if (BottomHalf.Current is not null)
            throw new InvalidOperationException("BusyPoller.Poll is for application threads, not NAPI context (a handler)");
        var napis = Targets();
        var owned = _owned;
        var claimed = _claimed;
        Array.Clear(claimed);
        var o = Options;
        long start = _stack.Platform.NowNs();
        int packets = 0, batches = 0, polls = 0;
        try
        {
            Spin(napis, owned, claimed, start, ref packets, ref batches, ref polls);
        }
        finally
        {
            // Also when a poll threw past its driver: the NAPIs must not stay owned.
            Stop(napis, owned, ref packets, ref batches, ref polls);
        }
        int busy = 0;
        for (int i = 0; i < napis.Length; i++)
            busy += claimed[i] ? 0 : 1;
        if (o.PreferBusyPoll)
            SuspendOrResume(napis, packets > 0);
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _polls, polls);
        Interlocked.Add(ref _packets, packets);
        Interlocked.Add(ref _busy, busy);
        if (packets == 0)
            Interlocked.Increment(ref _emptyCalls);
        return new BusyPollResult(packets, batches, busy);
    }

    /// <summary>napi_busy_loop's loop: poll every NAPI it owns or can take, until packets came in or the time is up.</summary>
    private void Spin(Napi[] napis, bool[] owned, bool[] claimed, long start, ref int packets, ref int batches, ref int polls)
    {
        var platform = _stack.Platform;
        var o = Options;
        long limit = o.BusyPollUsecs * 1000L;
        long sliceStart = start;
        while (true)
        {
            var cpu = _stack.CurrentSoftnet();
            using (var bh = cpu.EnterBh())
            {
                for (int i = 0; i < napis.Length; i++)
                {
                    if (!owned[i] && !(owned[i] = napis[i].TryBusyPollClaim(o.PreferBusyPoll)))
                        continue;
                    claimed[i] = true;
                    int work = napis[i].BusyPollRound(bh, o.BusyPollBudget, complete: false);
                    polls++;
                    packets += work;
                    if (work > 0)
                        batches++;
                }
            }
            // local_bh_enable: what the polls raised on this CPU (its backlog, through RPS) runs here.
            if (cpu.HasPendingSoftirq)
                cpu.RunInline();
            if (packets > 0 || platform.NowNs() - start >= limit)
                return;
            // need_resched: once per time slice, let the NAPIs go and give the CPU away, then start over.
            if (platform.NowNs() - sliceStart >= TimeSliceNs)
            {
                Stop(napis, owned, ref packets, ref batches, ref polls);
                if (packets > 0)
                    return;
                platform.Yield();
                sliceStart = platform.NowNs();
            }
            Thread.SpinWait(1);
        }
    }

    /// <summary>busy_poll_stop for every owned NAPI, on the CPU the thread runs on now.</summary>
    private void Stop(Napi[] napis, bool[] owned, ref int packets, ref int batches, ref int polls)
    {
        var o = Options;
        var cpu = _stack.CurrentSoftnet();
        using (var bh = cpu.EnterBh())
        {
            for (int i = 0; i < napis.Length; i++)
            {
                if (!owned[i])
                    continue;
                owned[i] = false;
                var napi = napis[i];
                bool skipSchedule = napi.BusyPollRelease(o.PreferBusyPoll);
                int work = napi.BusyPollRound(bh, o.BusyPollBudget, complete: true);
                napi.BusyPollFinish(work, o.BusyPollBudget, skipSchedule);
                polls++;
                packets += work;
                if (work > 0)
                    batches++;
            }
        }
        if (cpu.HasPendingSoftirq)
            cpu.RunInline();
    }

    private void SuspendOrResume(Napi[] napis, bool found)
    {
        foreach (var napi in napis)
        {
            if (found ? napi.SuspendIrqs() : napi.ResumeIrqs())
                Interlocked.Increment(ref found ? ref _suspends : ref _resumes);
        }
        var cpu = _stack.CurrentSoftnet();
        if (!found && cpu.HasPendingSoftirq)
            cpu.RunInline();
    }

    /// <summary>The NAPIs to poll: the device's current ones, or the one with the id (none while it is removed).</summary>
    private Napi[] Targets()
    {
        if (_device is { } device)
        {
            int generation = device.NapiGeneration;
            if (generation != _generation)
            {
                _napis = [.. device.Napis];
                _generation = generation;
            }
        }
        else if (_napis.Length == 0 || _napis[0].Id != _napiId || _napis[0].Config is null)
        {
            _napis = _stack.FindNapi(_napiId) is { } napi ? [napi] : [];
        }
        if (_owned.Length != _napis.Length)
        {
            _owned = new bool[_napis.Length];
            _claimed = new bool[_napis.Length];
        }
        return _napis;
    }
}
