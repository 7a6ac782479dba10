using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>NET_RX raised and run: ksoftirqd/N's loop, the inline softirq of a sender's local_bh_enable (__do_softirq), and the device interrupts its wait delivers.</summary>
public sealed partial class SoftnetData
{
    private const int MaxSoftirqRestart = 10;
    private const long MaxSoftirqTimeNs = 2_000_000;

    private int _softirqPending;
    private int _irqSources;
    private int _softirqThreadId;
    private bool _stopping;
    private bool _parked;

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
    internal void RearmIrq(int fd, bool drained) => SoftirqWaiter.Rearm(fd, drained);

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

    /// <summary>raise_softirq(NET_RX): inside this CPU's net_rx_action the running pass picks the work up; otherwise ksoftirqd is woken.</summary>
    internal void Raise()
    {
        Volatile.Write(ref _softirqPending, 1);
        if (!(InNetRxAction && BottomHalf.Current == this))
            WakeSoftirq();
    }

    /// <summary>The caller is this CPU's ksoftirqd, which re-reads its deadlines before it sleeps.</summary>
    internal bool OnSoftirqThread => Environment.CurrentManagedThreadId == _softirqThreadId;

    internal void WakeSoftirq()
    {
        if (SoftirqWaiter.Wake())
            Interlocked.Increment(ref Remote.Wakeups);
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
        if (!BottomHalf.TryEnter(this, out var bh))
        {
            // The holder may be leaving already: make sure ksoftirqd looks.
            Volatile.Write(ref _softirqPending, 1);
            WakeSoftirq();
            return;
        }
        bool leftover;
        using (bh)
        {
            // An IPI interrupts whatever runs on the CPU: the thread that is here now takes it, not only ksoftirqd.
            TakeRpsIpi();
            // __do_softirq: restart while work is left, at most 10 rounds and 2 ms, before handing over to ksoftirqd.
            long end = Deadline.After(Stack.Platform.NowNs(), MaxSoftirqTimeNs);
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
            WakeSoftirq();
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
        || Stack.Platform.NowNs() >= Watchdogs.NextDeadlineNs;

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
                using var tick = EnterBh();
                CpuOverload.Tick(now);
            }
            Stack.Realtime.Follow(CpuOverload.State);
            // Parked (CPU offline): pending kicks stay pending until the CPU comes back. Throttled (out of CPU budget):
            // nothing runs, watchdogs included, until the period ends.
            bool throttled = CpuOverload.IsThrottled(now) && !HasUnbudgetedWork();
            if (parked || throttled || !HasWork())
            {
                long next = throttled ? CpuOverload.ThrottledUntilNs : Watchdogs.NextDeadlineNs;
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
            using (var bh = EnterBh())
            {
                TakeRpsIpi();
                Volatile.Write(ref _deferIpiPending, 0);
                Volatile.Write(ref _softirqPending, 0);
                Watchdogs.Run();
                leftover = NetRxAction(bh);
            }
            if (leftover)
            {
                Volatile.Write(ref _softirqPending, 1);
                slice.CondResched(platform);
            }
        }
    }
}
