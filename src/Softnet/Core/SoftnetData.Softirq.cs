namespace Softnet.Core;

/// <summary>NET_RX raised and run: the pending flag, the inline softirq of a sender's local_bh_enable (__do_softirq), and the pass <see cref="Ksoftirqd"/> runs.</summary>
internal sealed partial class SoftnetData
{
    private const int MaxSoftirqRestart = 10;
    private const long MaxSoftirqTimeNs = 2_000_000;

    private int _softirqPending;

    /// <summary>raise_softirq(NET_RX): inside this CPU's net_rx_action the running pass picks the work up; otherwise ksoftirqd is woken.</summary>
    internal void Raise()
    {
        Volatile.Write(ref _softirqPending, 1);
        if (!(InNetRxAction && BottomHalf.Current == this))
            Ksoftirqd.Wake();
    }

    /// <summary>Processes this CPU's pending softirq work on the calling thread when no one else is (netif_rx's local_bh_enable).</summary>
    internal void RunInline()
    {
        // Parked (offline, or coming back and waiting for its stand-in): a thread with an older view of this CPU must
        // not run its softirq now; the work stays pending for the CPU's own thread once it is unparked. Out of CPU
        // budget: the softirq thread, which sleeps until the throttle ends, picks the work up then.
        long now = Stack.Platform.NowNs();
        if (Ksoftirqd.Parked || CpuOverload.IsThrottled(now))
        {
            Volatile.Write(ref _softirqPending, 1);
            return;
        }
        if (!BottomHalf.TryEnter(this, out var bh))
        {
            // The holder may be leaving already: make sure ksoftirqd looks.
            Volatile.Write(ref _softirqPending, 1);
            Ksoftirqd.Wake();
            return;
        }
        bool leftover;
        using (bh)
        {
            // An IPI interrupts whatever runs on the CPU: the thread that is here now takes it, not only ksoftirqd.
            TakeRpsIpi();
            // __do_softirq: restart while work is left, at most 10 rounds and 2 ms, before handing over to ksoftirqd.
            long end = Deadline.After(now, MaxSoftirqTimeNs);
            int rounds = 0;
            do
            {
                Volatile.Write(ref _softirqPending, 0);
                leftover = NetRxAction(bh);
            }
            while (leftover && ++rounds < MaxSoftirqRestart && Stack.Platform.NowNs() < end);
        }
        if (leftover)
        {
            Volatile.Write(ref _softirqPending, 1);
            Ksoftirqd.Wake();
        }
    }

    /// <summary>
    /// The sender's own backlog while its thread holds it (SCHED_THREADED, from a remote enqueue or a defer kick), polled
    /// here by the sender that just queued to it, up to one net_rx_action budget. The thread is pinned to this CPU, so
    /// while the sender runs here the thread cannot: left to it, the backlog waits for the scheduler to preempt the
    /// sender and overflows meanwhile, where a backlog the sender claimed itself is processed inline. The bottom half
    /// keeps one poller at a time (a thread preempted inside its round holds it, and this pass gives way); a round that
    /// empties the queues completes the backlog, and the thread, already woken, finds it no longer its own.
    /// </summary>
    internal void PollThreadedBacklogInline()
    {
        var backlog = Backlog;
        if (Ksoftirqd.Parked || (backlog.Budgeted && CpuOverload.IsThrottled(Stack.Platform.NowNs())) || !BottomHalf.TryEnter(this, out var bh))
            return;
        using (bh)
        {
            int budget = Stack.Options.NetdevBudget;
            bool again = true;
            while (again && budget > 0 && backlog.Has(NapiState.SchedThreaded))
                budget -= backlog.PollRound(bh, out again);
        }
    }

    /// <summary>NET_RX is raised or NAPIs wait on the poll list.</summary>
    internal bool HasPendingSoftirq =>
        Volatile.Read(ref _softirqPending) != 0
        || Volatile.Read(ref _rpsIpiPending) != 0
        || Volatile.Read(ref _pollHead) is not null;

    /// <summary>Anything for ksoftirqd: a raise, an IPI, a listed NAPI or a watchdog that is due.</summary>
    internal bool HasSoftirqWork() =>
        Volatile.Read(ref _softirqPending) != 0
        || Volatile.Read(ref _rpsIpiPending) != 0
        || Volatile.Read(ref _deferIpiPending) != 0
        || Volatile.Read(ref _pollHead) is not null
        || Stack.Platform.NowNs() >= Watchdogs.NextDeadlineNs;

    /// <summary>One pass of ksoftirqd in this CPU's bottom half: the IPIs, the watchdogs, net_rx_action. Returns whether work is left (NET_RX stays raised).</summary>
    internal bool KsoftirqdPass()
    {
        bool leftover;
        using (var bh = EnterBh())
        {
            TakeRpsIpi();
            Volatile.Write(ref _deferIpiPending, 0);
            Volatile.Write(ref _softirqPending, 0);
            Watchdogs.Run();
            leftover = NetRxAction(bh);
        }
        if (leftover)
            Volatile.Write(ref _softirqPending, 1);
        return leftover;
    }
}
