namespace Softnet.Core;

/// <summary>
/// The receive path's steering and kicks: netif_rx for devices that do not poll, netif_receive_skb_list for a NAPI's
/// poll, enqueue_to_backlog's admission, get_rps_cpu, and the one kick that gets a claimed backlog or NAPI polled.
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
        bool local = false;
        Span<bool> kick = Mode == KickMode.Softirq && !inSoftirq ? stackalloc bool[_cpus.Length] : default;
        bool anyKick = false;
        foreach (var p in batch)
        {
            var dev = p.Device;
            if (dev is not null && !dev.IsUp)
            {
                self.Drop(DropReason.DeviceDown, dev, p);
                continue;
            }
            var rps = RpsTarget(p);
            var target = rps ?? self;
            if (!EnqueueToBacklog(p, rps ?? home, ref target, self, out bool schedule) || !schedule)
                continue;
            if (KickBacklog(target, self, inSoftirq, kick))
                local = true;
            else
                anyKick |= !inSoftirq && Mode == KickMode.Softirq;
        }
        if (anyKick)
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
        if (!inSoftirq && (local || self.HasPendingSoftirq))
            self.RunInline();
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
        var direct = self.DirectBatch;
        int n = 0;
        foreach (var p in batch)
        {
            if (RpsTarget(p) is not { } rpsTarget)
            {
                direct[n++] = p;
                if (n == direct.Length)
                {
                    self.Deliver(direct);
                    n = 0;
                }
                continue;
            }
            var target = rpsTarget;
            if (EnqueueToBacklog(p, rpsTarget, ref target, self, out bool schedule) && schedule)
                KickBacklog(target, self, inSoftirq: true, default);
        }
        if (n > 0)
            self.Deliver(direct.AsSpan(0, n));
        direct.AsSpan(0, n).Clear();
    }

    /// <summary>
    /// enqueue_to_backlog: admission against netdev_max_backlog and flow limit, then the locked enqueue. The packet goes
    /// to <paramref name="home"/>'s backlog, or, while that CPU is offline, to the CPU that took its queue
    /// (<paramref name="target"/> is set to where it went).
    /// </summary>
    internal bool EnqueueToBacklog(Packet p, SoftnetData home, ref SoftnetData target, SoftnetData self, out bool schedule)
    {
        int max = Options.NetdevMaxBacklog;
        target = BacklogNapi.Follow(home);
        while (true)
        {
            schedule = false;
            int qlen = target.Backlog.InputLength;
            DropReason? reason;
            if (qlen > max)
            {
                reason = DropReason.Backlog;
            }
            else if (self.FlowLimit is { } fl && fl.ShouldDrop(p.FlowHash, qlen, max))
            {
                reason = DropReason.FlowLimit;
            }
            else
            {
                reason = target.Backlog.Enqueue(p, home, self, out schedule, out var redirect);
                if (redirect is not null)
                {
                    target = redirect;
                    continue;
                }
            }
            if (reason is null)
                return true;
            target.Drop(reason.Value, p.Device, p);
            return false;
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

    /// <summary>get_rps_cpu: the queue's rps map picks a CPU for a hashed packet; null leaves it where it is.</summary>
    internal SoftnetData? RpsTarget(Packet p)
    {
        if (p.FlowHash == 0 || p.Device is not { } dev)
            return null;
        var queues = dev.RxQueues;
        // A queue the device no longer has (channels shrinking) gets no steering, as the kernel does.
        if ((uint)p.QueueIndex >= (uint)queues.Count || queues[p.QueueIndex].Rps is not { } map)
            return null;
        // The CPU the map picks, even if offline: the enqueue follows its redirect under the queue lock.
        return _cpus[map.CpuFor(p.FlowHash)];
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
