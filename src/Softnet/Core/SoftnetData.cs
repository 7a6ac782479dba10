using Softnet.Overload;
using Softnet.Scheduling;
using Softnet.Steering;

namespace Softnet.Core;

/// <summary>
/// One CPU's softnet_data: its poll list, backlog NAPI, packet pool and deferred-free list, its counters, and its
/// softirq thread (<c>ksoftirqd/N</c>). Everything that polls on behalf of this CPU holds <see cref="Bh"/>, the
/// per-CPU bottom-half lock, so there is one poller per CPU at a time however many threads map to it.
/// </summary>
public sealed class SoftnetData
{
    private const int MaxSoftirqRestart = 10;
    private const long MaxSoftirqTimeNs = 2_000_000;

    private readonly Lock _pollLock = new();
    private readonly Lock _timerLock = new();
    private readonly List<Napi> _timers = [];
    private readonly Packet[] _localFree;
    private readonly bool[] _ipiTargets;
    private readonly int[] _ipiList;
    private readonly long[] _drops = new long[DropReasons.Count];
    private readonly List<ITxFlush> _txPending = [];
    private Napi? _pollHead;
    private Napi? _pollTail;
    private int _ipiCount;
    private int _softirqPending;
    private int _rpsIpiPending;
    private int _deferIpiPending;
    private long _nextTimerNs = long.MaxValue;
    private int _irqSources;
    private int _softirqThreadId;
    private bool _stopping;
    private bool _parked;
    private SoftnetData? _redirect;
    private SoftnetData? _standIn;
    private SoftnetData? _handedTo;

    // softnet_stat counters. Those written while holding Bh are plain; the rest are updated atomically.
    internal long Processed;
    internal long Delivered;
    internal long TimeSqueeze;
    internal long ReceivedRps;
    internal long Dropped;
    internal long IpiSent;
    internal long Wakeups;

    internal SoftnetData(NetStack stack, int cpu, int osCpu)
    {
        var o = stack.Options;
        Stack = stack;
        Cpu = cpu;
        OsCpu = osCpu;
        Pool = new PacketPool(cpu, o.PacketBufferSize, o.PacketPoolSize, o.PacketPoolLimit, o.SkbDeferMax);
        Backlog = new BacklogNapi(this, o.NetdevMaxBacklog, o.DevWeight);
        _localFree = new Packet[Math.Max(o.DevWeight, 64)];
        DirectBatch = new Packet[Math.Max(o.DevWeight, 64)];
        _ipiTargets = new bool[o.Cpus];
        _ipiList = new int[o.Cpus];
        if (CpuMask.Parse(o.FlowLimit, o.Cpus, nameof(o.FlowLimit)).Contains(cpu))
            FlowLimit = new FlowLimitTable(o.FlowLimitTableLen);
        SoftirqWaiter = stack.Platform.CreateSoftirqWaiter();
        CpuOverload = new CpuOverload(this, stack.OverloadControl, o.NetdevMaxBacklog, stack.Platform.NowNs());
    }

    public NetStack Stack { get; }

    /// <summary>The logical CPU index (softnet_stat's CPU column).</summary>
    public int Cpu { get; }

    /// <summary>The OS CPU this CPU's threads are pinned to.</summary>
    public int OsCpu { get; }

    public bool Online { get; internal set; } = true;

    /// <summary>While set (the CPU is offline), packets for this CPU's backlog go to that CPU instead.</summary>
    internal SoftnetData? Redirect
    {
        get => Volatile.Read(ref _redirect);
        set => Volatile.Write(ref _redirect, value);
    }

    /// <summary>While set, threads running on this CPU's OS CPU count as that CPU: this one is parked.</summary>
    internal SoftnetData? StandIn
    {
        get => Volatile.Read(ref _standIn);
        set => Volatile.Write(ref _standIn, value);
    }

    /// <summary>The bottom-half lock: held by whoever runs this CPU's softirq or polls on its behalf.</summary>
    internal Lock Bh { get; } = new();

    internal BacklogNapi Backlog { get; }

    /// <summary>Scratch for packets a driver's poll delivers without RPS; used under <see cref="Bh"/>.</summary>
    internal Packet[] DirectBatch { get; }

    internal PacketPool Pool { get; }

    internal FlowLimitTable? FlowLimit { get; }

    internal IIrqWaiter SoftirqWaiter { get; }

    /// <summary>This CPU's overload detector and CPU budget.</summary>
    internal CpuOverload CpuOverload { get; }

    /// <summary>This CPU's overload state, transitions, time in each state, signals and CPU share, as of the detector's last evaluation.</summary>
    public OverloadInfo Overload => CpuOverload.Info();

    internal IThreadHandle? SoftirqThread { get; private set; }

    internal NapiThread? BacklogThread { get; set; }

    /// <summary>The live scheduling policy of <c>ksoftirqd/N</c>.</summary>
    public ThreadPolicy? SoftirqPolicy => ThreadPolicy.Read(SoftirqThread?.OsThreadId ?? 0);

    /// <summary>The live scheduling policy of <c>backlog_napi/N</c>; null without backlog threads.</summary>
    public ThreadPolicy? BacklogThreadPolicy => ThreadPolicy.Read(BacklogThread?.Handle.OsThreadId ?? 0);

    internal bool InNetRxAction { get; private set; }

    internal long DropCount(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    internal void CountDrop(DropReason reason, int packets = 1)
    {
        Interlocked.Add(ref _drops[(int)reason], packets);
        if (reason is DropReason.Backlog or DropReason.FlowLimit)
            Interlocked.Add(ref Dropped, packets);
    }

    internal void StartSoftirqThread() =>
        SoftirqThread = Stack.StartThread($"ksoftirqd/{Cpu}", this, SoftirqLoop);

    /// <summary>Makes readiness of <paramref name="fd"/> an interrupt handled on this CPU's softirq thread, armed once per <see cref="RearmIrq"/>.</summary>
    internal void RegisterIrq(int fd, IIrqHandler handler)
    {
        SoftirqWaiter.Register(fd, handler);
        Interlocked.Increment(ref _irqSources);
    }

    internal void UnregisterIrq(int fd)
    {
        SoftirqWaiter.Unregister(fd);
        Interlocked.Decrement(ref _irqSources);
    }

    /// <summary>Unmasks the queue interrupt after its NAPI completed.</summary>
    internal void RearmIrq(int fd) => SoftirqWaiter.Rearm(fd);

    /// <summary>smpboot park/unpark of ksoftirqd: the thread stays alive, sleeping, while its CPU is offline.</summary>
    internal void SetParked(bool parked)
    {
        Volatile.Write(ref _parked, parked);
        SoftirqWaiter.Wake();
    }

    internal void Stop()
    {
        Volatile.Write(ref _stopping, true);
        SoftirqWaiter.Wake();
    }

    /// <summary>____napi_schedule: append a claimed NAPI to this CPU's poll list and raise NET_RX.</summary>
    internal void ListAndRaise(Napi napi)
    {
        if (ListNoRaise(napi))
            Raise();
    }

    /// <summary>
    /// Appends a claimed NAPI to the poll list for a caller that runs the softirq itself right after. Returns false when
    /// this CPU is offline and the NAPI went to the CPU that took its work instead (raised there).
    /// </summary>
    internal bool ListNoRaise(Napi napi)
    {
        SoftnetData? to;
        lock (_pollLock)
        {
            to = _handedTo;
            // Its own backlog stays here even while the list is closed: a sender with an older view of this CPU can
            // claim it in SetCpuOnline's window (flows steered back, list not yet reopened); dropped, that claim would
            // leave the backlog SCHED with nobody to poll it. Listed, it waits for the CPU's return.
            if (to is null || napi == Backlog)
            {
                ProtocolChecks.Listing(this, napi);
                napi.NextInList = null;
                if (_pollTail is null)
                {
                    _pollHead = _pollTail = napi;
                }
                else if (napi.Protected)
                {
                    // A protected queue goes first: its traffic must not wait behind the flooded queues' polls.
                    napi.NextInList = _pollHead;
                    _pollHead = napi;
                }
                else
                {
                    _pollTail.NextInList = napi;
                    _pollTail = napi;
                }
                return true;
            }
        }
        // A thread that picked this CPU just before it went offline (an interrupt already taken, a stand-in read too
        // early) schedules after dev_cpu_dead emptied the list: listed here, the NAPI would stay SCHED with no poller
        // until the CPU returns. It follows the rest of the CPU's work.
        to.ListAndRaise(napi);
        return false;
    }

    /// <summary>raise_softirq(NET_RX): inside this CPU's net_rx_action the running pass picks the work up; otherwise ksoftirqd is woken.</summary>
    internal void Raise()
    {
        Volatile.Write(ref _softirqPending, 1);
        if (!(InNetRxAction && NetStack.CurrentBh == this))
            WakeSoftirq();
    }

    internal void WakeSoftirq()
    {
        if (SoftirqWaiter.Wake())
            Interlocked.Increment(ref Wakeups);
    }

    /// <summary>Processes this CPU's pending softirq work on the calling thread when no one else is (netif_rx's local_bh_enable).</summary>
    internal void RunInline()
    {
        // Parked (offline, or coming back and waiting for its stand-in): a thread with an older view of this CPU must
        // not run its softirq now; the work stays pending for the CPU's own thread once it is unparked. Out of CPU
        // budget: the softirq thread, which sleeps until the period ends, picks the work up then.
        if (Volatile.Read(ref _parked) || CpuOverload.IsThrottled(Stack.Platform.NowNs()))
        {
            Volatile.Write(ref _softirqPending, 1);
            return;
        }
        if (!Bh.TryEnter())
        {
            // The holder may be leaving already: make sure ksoftirqd looks.
            Volatile.Write(ref _softirqPending, 1);
            WakeSoftirq();
            return;
        }
        bool leftover;
        var outer = NetStack.CurrentBh;
        try
        {
            NetStack.CurrentBh = this;
            // An IPI interrupts whatever runs on the CPU: the thread that is here now takes it, not only ksoftirqd.
            TakeRpsIpi();
            // __do_softirq: restart while work is left, at most 10 rounds and 2 ms, before handing over to ksoftirqd.
            long end = Deadline.After(Stack.Platform.NowNs(), MaxSoftirqTimeNs);
            int rounds = 0;
            do
            {
                Volatile.Write(ref _softirqPending, 0);
                leftover = NetRxAction();
            }
            while (leftover && ++rounds < MaxSoftirqRestart && Stack.Platform.NowNs() < end);
        }
        finally
        {
            NetStack.CurrentBh = outer;
            Bh.Exit();
        }
        if (leftover)
        {
            Volatile.Write(ref _softirqPending, 1);
            WakeSoftirq();
        }
    }

    /// <summary>The IPI handler's half of an RPS kick: the target schedules its own backlog.</summary>
    internal void PostRpsIpi()
    {
        Volatile.Write(ref _rpsIpiPending, 1);
        WakeSoftirq();
    }

    /// <summary>The IPI handler: an RPS kick schedules this CPU's backlog (received_rps). Caller holds <see cref="Bh"/>.</summary>
    private void TakeRpsIpi()
    {
        if (Volatile.Read(ref _rpsIpiPending) == 0)
            return;
        // Offline: a pass that runs here anyway (a thread that passed the park check before the CPU went) leaves the
        // kick for the CPU's return; taken now, it would list the backlog on a closed list and be lost. The kick may be
        // real already while SetCpuOnline waits for the stand-in: the flows are steered back before the list reopens.
        if (Volatile.Read(ref _handedTo) is not null || Interlocked.Exchange(ref _rpsIpiPending, 0) == 0)
            return;
        ReceivedRps++;
        // Only a claim that is still owed: a sender preempted between its enqueue and its IPI may post it after CPU
        // hotplug handed the claim over with the packets; listing the backlog then would put it on the poll list
        // without SCHED, or twice once a local enqueue has claimed and listed it again.
        if (Backlog.TakeIpiClaim())
            ListNoRaise(Backlog);
    }

    /// <summary>A defer-list kick in softirq mode: one outstanding IPI at a time.</summary>
    internal bool PostDeferIpi()
    {
        if (Interlocked.CompareExchange(ref _deferIpiPending, 1, 0) != 0)
            return false;
        WakeSoftirq();
        return true;
    }

    /// <summary>Queues an RPS IPI to <paramref name="target"/> until the end of this CPU's current pass (the rps_ipi_list).</summary>
    internal void QueueIpi(SoftnetData target)
    {
        if (_ipiTargets[target.Cpu])
            return;
        _ipiTargets[target.Cpu] = true;
        _ipiList[_ipiCount++] = target.Cpu;
    }

    internal void SendPendingIpis()
    {
        for (int i = 0; i < _ipiCount; i++)
        {
            int t = _ipiList[i];
            _ipiTargets[t] = false;
            Interlocked.Increment(ref IpiSent);
            Stack.Cpu(t).PostRpsIpi();
        }
        _ipiCount = 0;
    }

    /// <summary>Asks for <paramref name="device"/>'s queued transmissions to be flushed at the end of this round. Caller holds <see cref="Bh"/>.</summary>
    public void RequestTxFlush(ITxFlush device)
    {
        if (!_txPending.Contains(device))
            _txPending.Add(device);
    }

    /// <summary>Runs the requested TX flushes (NET_TX after NET_RX). Caller holds <see cref="Bh"/>.</summary>
    internal void RunTxFlush()
    {
        for (int i = 0; i < _txPending.Count; i++)
        {
            try
            {
                _txPending[i].FlushTx(this);
            }
            catch (Exception e)
            {
                // A device's TX failure must not take this CPU's poll loop down.
                Stack.LogOnce($"TX flush failed: {e.GetType().Name}: {e.Message}");
            }
        }
        _txPending.Clear();
    }

    /// <summary>Hands a batch to the application in NAPI context, then frees it. Caller holds <see cref="Bh"/>.</summary>
    internal void Deliver(ReadOnlySpan<Packet> batch)
    {
        Processed += batch.Length;
        try
        {
            Stack.Handler(batch, Cpu);
            Delivered += batch.Length;
        }
        catch (Exception e)
        {
            CountDrop(DropReason.Handler, batch.Length);
            Stack.ReportHandlerError(e);
        }
        Free(batch);
    }

    /// <summary>Frees packets: ours straight back to the pool, others to their owner's defer list. Caller holds <see cref="Bh"/>.</summary>
    internal void Free(ReadOnlySpan<Packet> batch)
    {
        int local = 0;
        foreach (var p in batch)
        {
            if (p.Owner == Pool)
            {
                _localFree[local++] = p;
                if (local == _localFree.Length)
                {
                    Pool.Return(_localFree);
                    local = 0;
                }
            }
            else if (p.Owner.Defer(p))
            {
                Stack.KickDefer(Stack.Cpu(p.Owner.Cpu), this);
            }
        }
        if (local > 0)
            Pool.Return(_localFree.AsSpan(0, local));
        _localFree.AsSpan(0, local).Clear();
    }

    /// <summary>
    /// net_rx_action: poll the NAPIs on this CPU's list under netdev_budget and netdev_budget_usecs. A NAPI that used
    /// its whole weight goes to the tail and waits for the next pass. Returns whether work is left (time_squeeze or
    /// leftovers), in which case the caller yields before continuing. Caller holds <see cref="Bh"/>.
    /// </summary>
    internal bool NetRxAction()
    {
        var o = Stack.Options;
        var platform = Stack.Platform;
        int budget = o.NetdevBudget;
        long now = platform.NowNs();
        // Out of CPU budget: the budgeted queues stay masked until the period ends.
        if (CpuOverload.IsThrottled(now))
            return PollUnbudgeted();
        CpuOverload.CountPass();
        long deadline = Deadline.After(now, o.NetdevBudgetUsecs * 1000L);
        InNetRxAction = true;
        Napi? list = TakePollList(out Napi? listTail);
        Napi? repoll = null, repollTail = null;
        while (true)
        {
            Pool.FlushDefer();
            if (list is null)
            {
                if (repoll is null)
                {
                    list = TakePollList(out listTail);
                    if (list is null)
                        break;
                    continue;
                }
                break;
            }
            var napi = list;
            list = napi.NextInList;
            if (list is null)
                listTail = null;
            napi.NextInList = null;
            ProtocolChecks.Unlisted(napi);
            int work = napi.PollRound(out bool again);
            // Replies leave as soon as the poll that produced them is done, not after the whole pass.
            RunTxFlush();
            if (again)
            {
                ProtocolChecks.Listing(this, napi);
                if (repollTail is null)
                    repoll = napi;
                else
                    repollTail.NextInList = napi;
                repollTail = napi;
            }
            budget -= work;
            now = platform.NowNs();
            if (CpuOverload.IsThrottled(now))
                break;
            if (budget <= 0 || now >= deadline)
            {
                TimeSqueeze++;
                break;
            }
        }
        InNetRxAction = false;
        bool leftover = Requeue(list, listTail, repoll, repollTail);
        SendPendingIpis();
        RunTxFlush();
        return leftover;
    }

    /// <summary>
    /// A pass while the CPU is out of budget: only the NAPIs the budget does not stop (protected queues, devices whose
    /// policy is off) are polled, once each; the others stay listed in their order, their queues masked.
    /// </summary>
    private bool PollUnbudgeted()
    {
        Napi? list = TakePollList(out _);
        Napi? keep = null, keepTail = null, repoll = null, repollTail = null;
        InNetRxAction = true;
        while (list is not null)
        {
            var napi = list;
            list = napi.NextInList;
            napi.NextInList = null;
            if (napi.Budgeted)
            {
                Append(ref keep, ref keepTail, napi);
                continue;
            }
            ProtocolChecks.Unlisted(napi);
            napi.PollRound(out bool again);
            RunTxFlush();
            if (again)
            {
                ProtocolChecks.Listing(this, napi);
                Append(ref repoll, ref repollTail, napi);
            }
        }
        InNetRxAction = false;
        bool leftover = Requeue(keep, keepTail, repoll, repollTail);
        SendPendingIpis();
        RunTxFlush();
        return leftover;
    }

    private static void Append(ref Napi? head, ref Napi? tail, Napi napi)
    {
        if (tail is null)
            head = napi;
        else
            tail.NextInList = napi;
        tail = napi;
    }

    /// <summary>A NAPI the CPU budget does not stop waits on the poll list.</summary>
    private bool HasUnbudgetedWork()
    {
        lock (_pollLock)
        {
            for (var napi = _pollHead; napi is not null; napi = napi.NextInList)
            {
                if (!napi.Budgeted)
                    return true;
            }
            return false;
        }
    }

    /// <summary>Hands every NAPI waiting on this CPU's poll list and every armed watchdog to <paramref name="to"/> (dev_cpu_dead). Caller holds <see cref="Bh"/>.</summary>
    internal void MigrateWorkTo(SoftnetData to)
    {
        Napi? list;
        lock (_pollLock)
        {
            list = TakePollList(out _);
            Volatile.Write(ref _handedTo, to);
        }
        for (var napi = list; napi is not null;)
        {
            var next = napi.NextInList;
            napi.NextInList = null;
            ProtocolChecks.Unlisted(napi);
            // The offline CPU's backlog was handed over already and must not run elsewhere.
            if (napi != Backlog)
                to.ListAndRaise(napi);
            napi = next;
        }
        Napi[] armed;
        lock (_timerLock)
        {
            armed = [.. _timers];
            foreach (var napi in armed)
                napi.TimerCpu = null;
            _timers.Clear();
            Volatile.Write(ref _nextTimerNs, long.MaxValue);
        }
        foreach (var napi in armed)
            to.ArmTimer(napi, Math.Max(0, napi.TimerDeadlineNs - Stack.Platform.NowNs()));
        Volatile.Write(ref _rpsIpiPending, 0);
        Volatile.Write(ref _softirqPending, 0);
    }

    /// <summary>The CPU is back: its poll list takes NAPIs again. Called before its softirq thread is unparked.</summary>
    internal void ReopenPollList()
    {
        lock (_pollLock)
            Volatile.Write(ref _handedTo, null);
    }

    private Napi? TakePollList(out Napi? tail)
    {
        lock (_pollLock)
        {
            var head = _pollHead;
            tail = _pollTail;
            _pollHead = _pollTail = null;
            return head;
        }
    }

    /// <summary>The new poll list is the unpolled leftovers, then what was scheduled during the pass, then the repolls.</summary>
    private bool Requeue(Napi? list, Napi? listTail, Napi? repoll, Napi? repollTail)
    {
        lock (_pollLock)
        {
            if (list is not null)
            {
                listTail!.NextInList = _pollHead;
                if (_pollHead is null)
                    _pollTail = listTail;
                _pollHead = list;
            }
            if (repoll is not null)
            {
                if (_pollTail is null)
                    _pollHead = repoll;
                else
                    _pollTail.NextInList = repoll;
                _pollTail = repollTail;
            }
            return _pollHead is not null;
        }
    }

    /// <summary>NET_RX is raised or NAPIs wait on the poll list.</summary>
    internal bool HasPendingSoftirq =>
        Volatile.Read(ref _softirqPending) != 0
        || Volatile.Read(ref _rpsIpiPending) != 0
        || Volatile.Read(ref _pollHead) is not null;

    private bool HasWork() =>
        Volatile.Read(ref _softirqPending) != 0
        || Volatile.Read(ref _rpsIpiPending) != 0
        || Volatile.Read(ref _deferIpiPending) != 0
        || Volatile.Read(ref _pollHead) is not null
        || Stack.Platform.NowNs() >= Volatile.Read(ref _nextTimerNs);

    /// <summary>ksoftirqd: sleep until raised (or a device's readiness, or a watchdog), run net_rx_action, yield between passes that left work.</summary>
    private void SoftirqLoop()
    {
        _softirqThreadId = Environment.CurrentManagedThreadId;
        var platform = Stack.Platform;
        bool waited = false;
        var slice = default(TimeSlice);
        while (!Volatile.Read(ref _stopping))
        {
            long now = platform.NowNs();
            bool parked = Volatile.Read(ref _parked);
            if (!parked && now >= CpuOverload.NextTickNs)
            {
                lock (Bh)
                {
                    NetStack.CurrentBh = this;
                    CpuOverload.Tick(now);
                    NetStack.CurrentBh = null;
                }
            }
            Stack.Realtime.Follow(CpuOverload.State);
            // Parked (CPU offline): pending kicks stay pending until the CPU comes back. Throttled (out of CPU budget):
            // nothing runs, watchdogs included, until the period ends.
            bool throttled = CpuOverload.IsThrottled(now) && !HasUnbudgetedWork();
            if (parked || throttled || !HasWork())
            {
                long next = throttled ? CpuOverload.ThrottledUntilNs : Volatile.Read(ref _nextTimerNs);
                if (!parked)
                    next = Math.Min(next, CpuOverload.NextTickNs);
                SoftirqWaiter.Wait(next == long.MaxValue ? -1 : Math.Max(0, next - now));
                waited = true;
                slice.Start(platform);
                continue;
            }
            // Kept awake by wakes, the thread would never sleep in epoll and its devices' interrupts would starve;
            // right after a wait, epoll was just read.
            if (!waited && Volatile.Read(ref _irqSources) > 0)
                SoftirqWaiter.TryPollIrqs();
            waited = false;
            bool leftover;
            lock (Bh)
            {
                NetStack.CurrentBh = this;
                TakeRpsIpi();
                Volatile.Write(ref _deferIpiPending, 0);
                Volatile.Write(ref _softirqPending, 0);
                RunTimers();
                leftover = NetRxAction();
                NetStack.CurrentBh = null;
            }
            if (leftover)
            {
                Volatile.Write(ref _softirqPending, 1);
                slice.CondResched(platform);
            }
        }
    }

    /// <summary>Arms a NAPI's watchdog on this CPU (the pinned hrtimer).</summary>
    internal void ArmTimer(Napi napi, long delayNs)
    {
        long deadline = Deadline.After(Stack.Platform.NowNs(), delayNs);
        bool earlier = false;
        SoftnetData? to;
        lock (_timerLock)
        {
            to = Volatile.Read(ref _handedTo);
            if (to is null)
            {
                if (napi.TimerCpu is { } old && old != this)
                    old.CancelTimer(napi);
                if (napi.TimerCpu != this)
                    _timers.Add(napi);
                napi.TimerCpu = this;
                napi.TimerDeadlineNs = deadline;
                earlier = deadline < _nextTimerNs;
                if (earlier)
                    Volatile.Write(ref _nextTimerNs, deadline);
            }
        }
        // Armed from a stale view of an offline CPU after its watchdogs were handed over: it goes where they went.
        if (to is not null)
            to.ArmTimer(napi, delayNs);
        // Only this CPU's own softirq thread re-reads the deadline before it sleeps; anyone else must wake it.
        else if (earlier && Environment.CurrentManagedThreadId != _softirqThreadId)
            WakeSoftirq();
    }

    internal void CancelTimer(Napi napi)
    {
        lock (_timerLock)
        {
            if (napi.TimerCpu != this)
                return;
            _timers.Remove(napi);
            napi.TimerCpu = null;
        }
    }

    private void RunTimers()
    {
        long now = Stack.Platform.NowNs();
        if (now < Volatile.Read(ref _nextTimerNs))
            return;
        Napi? fire;
        do
        {
            fire = null;
            lock (_timerLock)
            {
                long next = long.MaxValue;
                for (int i = 0; i < _timers.Count; i++)
                {
                    var n = _timers[i];
                    if (fire is null && n.TimerDeadlineNs <= now)
                    {
                        fire = n;
                        _timers.RemoveAt(i--);
                        n.TimerCpu = null;
                        continue;
                    }
                    next = Math.Min(next, n.TimerDeadlineNs);
                }
                Volatile.Write(ref _nextTimerNs, fire is null ? next : Math.Min(next, now));
            }
            fire?.WatchdogFired();
        }
        while (fire is not null);
    }
}
