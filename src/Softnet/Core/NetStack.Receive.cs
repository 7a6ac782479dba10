namespace Softnet.Core;

/// <summary>
/// The receive path's steering and kicks: netif_rx for devices that do not poll, netif_receive_skb_list for a NAPI's
/// poll, enqueue_to_backlog's admission (one lock hold per target CPU per batch; get_rps_cpu is RpsLookup), and the
/// one kick that gets a claimed backlog or NAPI polled.
/// </summary>
public sealed partial class NetStack
{
    /// <summary>netif_rx for one packet.</summary>
    public void NetifRx(Packet packet) => NetifRx(new ReadOnlySpan<Packet>(ref packet));

    /// <summary>
    /// netif_rx for a batch from a device that does not poll: each packet is steered by RPS (or stays on the
    /// caller's CPU) and queued to that CPU's backlog, or dropped and counted. Remote CPUs are kicked once per
    /// batch; work for the caller's own CPU is processed inline before this returns.
    /// </summary>
    public void NetifRx(ReadOnlySpan<Packet> batch)
    {
        // The caller's CPU as CurrentSoftnet sees it (self), and before any stand-in (home): packets that stay local
        // follow home's redirect at enqueue time, so a batch that straddles a CPU coming back does not leave its tail
        // on the stand-in behind the switch.
        SoftnetData self, home;
        var current = BottomHalf.Current;
        if (current is { } bh && bh.Stack == this)
        {
            self = home = bh;
        }
        else
        {
            home = CurrentHome();
            self = home.StandIn ?? home;
        }
        bool inSoftirq = current == self;
        Span<bool> kick = Mode == KickMode.Softirq && !inSoftirq ? stackalloc bool[_cpus.Length] : default;
        var kicks = new BatchKicks(self, inSoftirq, kick);
        var groups = BacklogGroups.For(_cpus.Length);
        var rps = new RpsLookup();
        foreach (var p in batch)
        {
            var dev = p.Device;
            if (dev is not null && !dev.IsUp)
            {
                self.Drop(DropReason.DeviceDown, dev, p);
                continue;
            }
            int cpu = rps.CpuFor(p);
            groups.Add(p, cpu >= 0 ? cpu : home.Cpu);
            if (groups.IsFull)
                AdmitGroups(groups, ref kicks);
        }
        AdmitGroups(groups, ref kicks);
        if (kicks.Remote)
        {
            for (int i = 0; i < kick.Length; i++)
            {
                if (kick[i])
                {
                    Interlocked.Increment(ref self.Counters.Remote.IpiSent);
                    _cpus[i].PostRpsIpi();
                }
            }
        }
        // local_bh_enable: whatever softirq work is pending on the caller's CPU runs now, within the call.
        if (!inSoftirq && (kicks.Local || self.HasPendingSoftirq))
            self.RunInline();
        // The caller's own backlog held by its thread, which cannot run on this CPU while the caller does: polled here.
        if (!inSoftirq && Mode == KickMode.BacklogThreads && self.Backlog.Has(NapiState.SchedThreaded))
            self.PollThreadedBacklogInline();
    }

    /// <summary>
    /// netif_receive_skb_list for a NAPI driver's poll, inside the polling CPU's bottom half: packets RPS steers are
    /// queued to their CPU's backlog — the current CPU included — and the rest are delivered here, in one batch.
    /// </summary>
    internal void ReceiveList(in BottomHalf bh, ReadOnlySpan<Packet> batch)
    {
        var self = bh.Cpu is { } cpu && cpu.Stack == this
            ? cpu
            : throw new InvalidOperationException("ReceiveList is for NAPI poll context");
        var rps = new RpsLookup();
        if (batch.IsEmpty)
            return;
        if (!rps.Steers(batch[0]) && OneQueue(batch))
        {
            // No RPS on the batch's queue: every packet is delivered here, straight from the driver's array.
            var chunk = self.DirectBatch.Length;
            for (int i = 0; i < batch.Length; i += chunk)
                self.Deliver(batch.Slice(i, Math.Min(chunk, batch.Length - i)));
            return;
        }
        var direct = self.DirectBatch;
        var kicks = new BatchKicks(self, inSoftirq: true, default);
        var groups = self.Groups;
        int n = 0;
        foreach (var p in batch)
        {
            int target = rps.CpuFor(p);
            if (target >= 0)
            {
                groups.Add(p, target);
                if (groups.IsFull)
                    AdmitGroups(groups, ref kicks);
                continue;
            }
            direct[n++] = p;
            if (n == direct.Length)
            {
                // The steered packets are queued first: the handler must not run while this thread's groups hold packets.
                AdmitGroups(groups, ref kicks);
                self.Deliver(direct);
                n = 0;
            }
        }
        AdmitGroups(groups, ref kicks);
        if (n > 0)
            self.Deliver(direct.AsSpan(0, n));
        direct.AsSpan(0, n).Clear();
    }

    /// <summary>Whether every packet of <paramref name="batch"/> (not empty) came from the first one's device and queue.</summary>
    private static bool OneQueue(ReadOnlySpan<Packet> batch)
    {
        var device = batch[0].Device;
        int queue = batch[0].QueueIndex;
        foreach (var p in batch)
        {
            if (p.Device != device || p.QueueIndex != queue)
                return false;
        }
        return true;
    }

    /// <summary>Admits each group of <paramref name="groups"/> to its CPU's backlog, one lock hold per group, and kicks each backlog a group claimed.</summary>
    private void AdmitGroups(BacklogGroups groups, ref BatchKicks kicks)
    {
        if (groups.IsEmpty)
            return;
        int count = groups.Sort();
        for (int g = 0; g < count; g++)
        {
            var packets = groups.Group(g, out int cpu);
            if (EnqueueToBacklog(packets, _cpus[cpu], kicks.Self, groups.Reasons, out var target))
                kicks.Add(this, target);
        }
        groups.Clear();
    }

    /// <summary>
    /// enqueue_to_backlog for a group of packets meant for <paramref name="home"/>'s backlog, under one hold of the queue
    /// lock: each packet is admitted against netdev_max_backlog and flow limit as if it came alone, so a group that
    /// fills the queue midway drops exactly its excess. The packets go to <paramref name="home"/>'s backlog, or, while
    /// that CPU is offline, to the CPU that took its queue (<paramref name="target"/>, where the drops are counted too).
    /// Returns whether the group claimed the backlog (SCHED) and the caller must kick it.
    /// </summary>
    internal bool EnqueueToBacklog(Span<Packet> packets, SoftnetData home, SoftnetData self, Span<DropReason> reasons, out SoftnetData target)
    {
        target = BacklogNapi.Follow(home);
        int dropped;
        bool schedule;
        while ((dropped = target.Backlog.Enqueue(packets, home, self, reasons, out schedule, out var redirect)) < 0)
            target = redirect!;
        // Counted and freed after the queue lock is released, in runs of one reason and device.
        for (int i = 0; i < dropped;)
        {
            var device = packets[i].Device;
            int j = i + 1;
            while (j < dropped && reasons[j] == reasons[i] && packets[j].Device == device)
                j++;
            target.Drop(reasons[i], device, packets[i..j]);
            i = j;
        }
        return schedule;
    }

    /// <summary>The kicks one batch owes: the caller's CPU, whether its own backlog was claimed, and which remote CPUs get an IPI at the end.</summary>
    private ref struct BatchKicks(SoftnetData self, bool inSoftirq, Span<bool> batchKick)
    {
        private readonly Span<bool> _batchKick = batchKick;

        public readonly SoftnetData Self = self;

        /// <summary>The caller's own backlog was claimed outside softirq: the caller runs it inline.</summary>
        public bool Local;

        /// <summary>Some CPU is marked in the batch's IPI set.</summary>
        public bool Remote;

        public void Add(NetStack stack, SoftnetData target)
        {
            if (stack.KickBacklog(target, Self, inSoftirq, _batchKick))
                Local = true;
            else
                Remote |= !inSoftirq && stack.Mode == KickMode.Softirq;
        }
    }

    /// <summary>
    /// The one kick after an enqueue claimed <paramref name="target"/>'s backlog (SCHED): gets its owner to poll it. On the
    /// caller's own CPU the enqueue listed it already, so only raising is left (and that to the caller outside softirq:
    /// returns true). Elsewhere: the backlog thread is woken (<see cref="KickMode.BacklogThreads"/>), or an RPS IPI is
    /// queued until the end of the pass (in softirq), or marked in <paramref name="batchKick"/> to be sent once per batch.
    /// </summary>
    private bool KickBacklog(SoftnetData target, SoftnetData self, bool inSoftirq, Span<bool> batchKick)
    {
        if (target == self)
        {
            if (inSoftirq)
                self.Raise();
            return true;
        }
        if (Mode == KickMode.BacklogThreads)
            WakeThreaded(target.Backlog, self);
        else if (inSoftirq)
            self.Ipis.Queue(target);
        else
            batchKick[target.Cpu] = true;
        return false;
    }

    /// <summary>__napi_schedule for a NAPI whose SCHED the caller holds.</summary>
    internal void ScheduleClaimed(Napi napi)
    {
        var self = CurrentSoftnet();
        // A CPU's own backlog stays in its softirq even when threaded: the local path is processed inline.
        if (napi.Has(NapiState.Threaded) && napi.Thread is { } t && t != self.BacklogThread)
        {
#if SIMULATION
            if (PlantedBugs.ConditionalWakeup && t.Sleeping)
            {
                WakeThread(napi, self);
                return;
            }
#endif
            napi.SetBits(NapiState.SchedThreaded);
            WakeThread(napi, self);
            return;
        }
        self.ListAndRaise(napi);
    }

    /// <summary>The threaded schedule: set SCHED_THREADED, then wake unconditionally; the thread trusts only the bit.</summary>
    internal static void WakeThreaded(Napi napi, SoftnetData self)
    {
#if SIMULATION
        if (PlantedBugs.ConditionalWakeup && napi.Thread!.Sleeping)
        {
            WakeThread(napi, self);
            return;
        }
#endif
        napi.SetBits(NapiState.SchedThreaded);
        WakeThread(napi, self);
    }

    /// <summary>Wakes the NAPI's thread; a real wake-up is counted on the CPU it polls for, or on the waker's for a thread that has none.</summary>
    private static void WakeThread(Napi napi, SoftnetData self)
    {
        if (napi.Thread!.Wake())
            Interlocked.Increment(ref (napi.ThreadHome ?? self).Counters.Remote.Wakeups);
    }

    /// <summary>
    /// Gets a CPU whose defer list reached its threshold to drain it (kick_defer_list_purge): with backlog threads by
    /// claiming its backlog and kicking it like any remote claim; otherwise by the defer IPI, which only raises NET_RX
    /// there and schedules no backlog.
    /// </summary>
    internal void KickDefer(SoftnetData owner, SoftnetData self)
    {
        if (Mode == KickMode.BacklogThreads)
        {
            bool claimed;
            lock (owner.Backlog.QueueLock)
                claimed = owner.Backlog.TryClaimLocked();
            if (claimed)
                KickBacklog(owner, self, inSoftirq: true, default);
        }
        else if (owner.PostDeferIpi())
        {
            Interlocked.Increment(ref self.Counters.Remote.IpiSent);
        }
    }
}
