using System.Runtime.CompilerServices;
using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>
/// One NAPI instance: a queue polled in batches under a weight, scheduled at most once (SCHED), with the kernel's
/// state protocol (napi_schedule_prep, __napi_poll, napi_complete_done). A driver derives from it and implements <see cref="Poll"/>.
/// </summary>
public abstract partial class Napi
{
    private int _state = (int)(NapiState.Sched | NapiState.Npsvc);

    /// <summary>Creates a NAPI on <paramref name="stack"/> that handles at most <paramref name="weight"/> packets per poll (1 to 4096, the kernel's NAPI weight).</summary>
    protected Napi(NetStack stack, int weight)
    {
        NetStackOptions.Range("weight", weight, 1, 4096);
        Stack = stack;
        Weight = weight;
    }

    /// <summary>The stack this NAPI belongs to.</summary>
    public NetStack Stack { get; }

    /// <summary>The device this NAPI was added to; null for a CPU's backlog.</summary>
    public NetDevice? Device { get; internal set; }

    /// <summary>The queue index it serves (netlink's <c>irq</c>); -1 when not added to a device.</summary>
    public int Index { get; internal set; } = -1;

    /// <summary>The persistent settings slot it is attached to while added.</summary>
    public NapiConfig? Config { get; internal set; }

    /// <summary>The threaded mode as the live state bits say (netlink reports state, not config).</summary>
    public ThreadedMode Threaded =>
        !Has(NapiState.Threaded) ? ThreadedMode.Disabled
        : Has(NapiState.ThreadedBusyPoll) ? ThreadedMode.BusyPoll
        : ThreadedMode.Enabled;

    /// <summary>The OS thread id of the NAPI's thread (netlink's <c>pid</c>); null when it has none.</summary>
    public int? ThreadId => Thread?.Handle.OsThreadId;

    /// <summary>Packets one poll may process (dev_weight for the backlog, NAPI_POLL_WEIGHT for drivers).</summary>
    public int Weight { get; set; }

    /// <summary>The NAPI id (0: none; ids start above the CPU-hint range, as in the kernel).</summary>
    public int Id { get; internal set; }

    /// <summary>Consecutive empty completions that keep the queue masked and arm the watchdog instead (napi_defer_hard_irqs).</summary>
    public int DeferHardIrqs { get; set; }

    /// <summary>Watchdog delay in nanoseconds used by <see cref="DeferHardIrqs"/> (gro_flush_timeout).</summary>
    public long GroFlushTimeoutNs { get; set; }

    /// <summary>The NAPI's state bits (SCHED, NPSVC, ...) as of this read; they change under the caller.</summary>
    public NapiState State => (NapiState)Volatile.Read(ref _state);

    /// <summary>Polls that ran (softirq, thread or busy-poll).</summary>
    public long Polls => Volatile.Read(ref PollCount);

    /// <summary>Packets those polls reported as work.</summary>
    public long Packets => Volatile.Read(ref PacketCount);

    /// <summary>The thread that polls this NAPI while threaded; null otherwise.</summary>
    internal NapiThread? Thread { get; set; }

    /// <summary>Link in a poll list; owned by whoever holds the list.</summary>
    internal Napi? NextInList;

    /// <summary>Completions by owners so far; tells the poll loop whether a driver that threw had completed first.</summary>
    private int _completions;

    internal long PollCount;
    internal long PacketCount;
    internal int DeferHardIrqsCount;
    internal long TimerDeadlineNs;
    internal SoftnetData? TimerCpu;

    /// <summary>
    /// The driver's poll, inside <paramref name="bh"/>: process at most <paramref name="budget"/> packets and return how many. A driver that
    /// ran out of work before the budget calls <see cref="CompleteDone"/> itself; one that used the whole budget must not.
    /// </summary>
    internal abstract int Poll(in BottomHalf bh, int budget);

    /// <summary>napi_schedule: claim the NAPI and queue it for polling. Returns false when it was owned already (MISSED set) or disabled.</summary>
    internal bool Schedule()
    {
        if (!SchedulePrep())
            return false;
        Stack.ScheduleClaimed(this);
        return true;
    }

    /// <summary>napi_schedule_prep: take SCHED, or mark MISSED when someone owns it.</summary>
    internal bool SchedulePrep()
    {
        int old, val;
        do
        {
            old = Volatile.Read(ref _state);
            if ((old & (int)NapiState.Disable) != 0)
                return false;
            val = old | (int)NapiState.Sched;
#if SIMULATION
            if (PlantedBugs.MissedIgnored)
                continue;
#endif
            if ((old & (int)NapiState.Sched) != 0)
                val |= (int)NapiState.Missed;
        }
        while (Interlocked.CompareExchange(ref _state, val, old) != old);
        return (old & (int)NapiState.Sched) == 0;
    }

    /// <summary>
    /// napi_complete_done: give the NAPI up after a poll that did less than its budget. Returns whether the driver
    /// may unmask its queue; false when a MISSED schedule forced another round or an IRQ deferral timer was armed.
    /// </summary>
    internal bool CompleteDone(int workDone)
    {
        int state = Volatile.Read(ref _state);
        if ((state & (int)(NapiState.Npsvc | NapiState.InBusyPoll)) != 0)
            return false;
        long timeout = 0;
        bool unmask = true;
        if (workDone > 0)
            DeferHardIrqsCount = DeferHardIrqs;
        if (DeferHardIrqsCount > 0)
        {
            DeferHardIrqsCount--;
            timeout = GroFlushTimeoutNs;
            if (timeout != 0)
                unmask = false;
        }
        // Counted while still the owner: after the exchange below the next owner may already be polling.
        _completions++;
        int old, val;
        const int clear = (int)(NapiState.Missed | NapiState.Sched | NapiState.SchedThreaded | NapiState.PreferBusyPoll);
        do
        {
            old = Volatile.Read(ref _state);
            val = old & ~clear;
            if ((old & (int)NapiState.Missed) != 0)
                val |= (int)NapiState.Sched;
        }
        while (Interlocked.CompareExchange(ref _state, val, old) != old);
        ProtocolChecks.Released(this);
        if ((old & (int)NapiState.Missed) != 0)
        {
            Stack.ScheduleClaimed(this);
            return false;
        }
        if (timeout != 0)
            Stack.ArmWatchdog(this, timeout);
        return unmask;
    }

    /// <summary>napi_disable: block new schedules, wait for the current owner to finish, then hold the NAPI.</summary>
    public void Disable()
    {
        Interlocked.Or(ref _state, (int)NapiState.Disable);
        int attempt = 0;
        while (true)
        {
            int old = Volatile.Read(ref _state);
            if ((old & (int)(NapiState.Sched | NapiState.Npsvc)) != 0)
            {
                Stack.Platform.Backoff(attempt++);
                continue;
            }
            int val = (old | (int)(NapiState.Sched | NapiState.Npsvc))
                & ~(int)(NapiState.Threaded | NapiState.ThreadedBusyPoll | NapiState.PreferBusyPoll);
            if (Interlocked.CompareExchange(ref _state, val, old) == old)
                break;
        }
        NetStack.CancelWatchdog(this);
        Interlocked.And(ref _state, ~(int)NapiState.Disable);
    }

    /// <summary>napi_enable: release the hold taken by <see cref="Disable"/> (a new NAPI starts disabled).</summary>
    public void Enable()
    {
        int old, val;
        do
        {
            old = Volatile.Read(ref _state);
            val = old & ~(int)(NapiState.Sched | NapiState.Npsvc);
            if (Thread is { } t)
                val |= (int)NapiState.Threaded | (t.BusyPoll ? (int)NapiState.ThreadedBusyPoll : 0);
        }
        while (Interlocked.CompareExchange(ref _state, val, old) != old);
    }

    /// <summary>
    /// __napi_poll, shared by the softirq and the NAPI's thread: poll once if owned and say whether the NAPI used its
    /// whole weight and must be polled again (the softirq puts it at the tail of its list). Under a CPU budget the
    /// weight of this poll is the budget's quota when that is smaller.
    /// </summary>
    internal int PollRound(in BottomHalf bh, out bool repoll)
    {
        repoll = false;
        int weight = Weight;
        int work = 0;
        if (Has(NapiState.Sched))
        {
            ProtocolChecks.PollEnter(this, bh.Cpu);
            int completions = _completions;
            Volatile.Write(ref LastPollCpu, bh.Cpu);
            long startNs = Stack.Platform.NowNs();
            weight = BeginPoll(bh.Cpu, startNs, weight);
            try
            {
                work = Poll(bh, weight);
            }
            catch (Exception e)
            {
                // A driver bug must not take the CPU's poll loop down; completing lets the NAPI be scheduled again. A
                // driver that completed before it threw (a failed IRQ re-arm) is not completed twice: by then the NAPI
                // may belong to its next poller, whose SCHED a second completion would take away.
                Stack.LogOnce($"NAPI {Id} poll threw {e.GetType().Name}: {e.Message}; completed it");
                if (_completions == completions)
                    CompleteDone(0);
            }
            ProtocolChecks.PollExit(this);
            AccountPoll(bh.Cpu, startNs, work, weight);
            // Atomic: once the driver completed, the next round may already run elsewhere.
            Interlocked.Increment(ref PollCount);
            Interlocked.Add(ref PacketCount, work);
        }
        if (work > weight)
        {
            Stack.LogOnce($"NAPI {Id} polled {work} packets with weight {weight}; treated as {weight}");
            work = weight;
        }
        if (work < weight)
            return work;
        if (Has(NapiState.Disable))
        {
            CompleteDone(work);
            return work;
        }
        if (Has(NapiState.PreferBusyPoll))
        {
            if (CompleteDone(work))
                Schedule();
            return work;
        }
        repoll = true;
        return work;
    }

    /// <summary>Watchdog expiry: take SCHED if free (without MISSED) and schedule on the timer's CPU.</summary>
    internal void WatchdogFired()
    {
        int old;
        do
        {
            old = Volatile.Read(ref _state);
            if ((old & (int)(NapiState.Disable | NapiState.Sched)) != 0)
                return;
        }
        while (Interlocked.CompareExchange(ref _state, old | (int)NapiState.Sched, old) != old);
        Interlocked.And(ref _state, ~(int)NapiState.PreferBusyPoll);
        Stack.ScheduleClaimed(this);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Has(NapiState bits) => (Volatile.Read(ref _state) & (int)bits) != 0;

    internal int SetBits(NapiState bits) => Interlocked.Or(ref _state, (int)bits);

    internal int ClearBits(NapiState bits) => Interlocked.And(ref _state, ~(int)bits);
}
