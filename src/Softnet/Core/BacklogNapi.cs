using System.Runtime.InteropServices;
using Softnet.Steering;

namespace Softnet.Core;

/// <summary>
/// A CPU's backlog NAPI (process_backlog): packets from devices that don't poll and from RPS wait in the locked
/// input queue; the poller splices them into its private process queue and delivers them in batches.
/// </summary>
internal sealed class BacklogNapi : Napi
{
    private readonly SoftnetData _cpu;
    private readonly int _maxBacklog;
    private readonly Packet[] _batch;
    private PacketRing _input;
    private PacketRing _process;
    private bool _closed;

    public BacklogNapi(SoftnetData cpu, int maxBacklog, int weight)
        : base(cpu.Stack, weight)
    {
        _cpu = cpu;
        ThreadHome = cpu;
        _maxBacklog = maxBacklog;
        // Admission compares before inserting, so the input queue can hold max + 1.
        _input = new PacketRing(maxBacklog + 1);
        _process = new PacketRing(maxBacklog + 1);
        _batch = new Packet[weight];
    }

    public Lock QueueLock { get; } = new();

    public int InputLength => _input.Count;

    public int ProcessLength => _process.Count;

    /// <summary>Packets ever queued here (input_queue_tail); read under <see cref="QueueLock"/>.</summary>
    public long Tail => _cursors.Tail;

    /// <summary>Packets ever taken out for delivery (input_queue_head).</summary>
    public long Head => Volatile.Read(ref _cursors.Head);

    private Cursors _cursors;

    /// <summary>The CPU whose backlog takes packets for <paramref name="cpu"/>: itself, or while it is offline the one that stood in.</summary>
    public static SoftnetData Follow(SoftnetData cpu)
    {
        while (cpu.Redirect is { } r)
            cpu = r;
        return cpu;
    }

    /// <summary>
    /// enqueue_to_backlog's admission and locked enqueue for a group of packets meant for <paramref name="home"/>'s
    /// backlog, under one hold of <see cref="QueueLock"/>. Each packet is admitted on its own against the queue length
    /// it finds (netdev_max_backlog, then <paramref name="self"/>'s flow limit), so the counts are those of one enqueue
    /// per packet. The refused packets are moved to the front of <paramref name="packets"/> in order, their reasons in
    /// <paramref name="reasons"/>, and their number is returned for the caller to drop outside the lock.
    /// <paramref name="schedule"/> is set when this group claimed SCHED and the caller must kick the CPU (an IPI in
    /// softirq mode when <paramref name="self"/> is another CPU; on <paramref name="self"/>'s own CPU the backlog is
    /// already listed and only needs raising). Returns -1, with <paramref name="redirect"/> set and nothing done, when
    /// <paramref name="home"/>'s packets belong elsewhere by now: the caller retries there.
    /// </summary>
    public int Enqueue(Span<Packet> packets, SoftnetData home, SoftnetData self, Span<DropReason> reasons, out bool schedule, out SoftnetData? redirect)
    {
        schedule = false;
        redirect = null;
        var flowLimit = self.FlowLimit;
        int dropped = 0;
        lock (QueueLock)
        {
            if (_closed)
            {
                reasons[..packets.Length].Fill(DropReason.Shutdown);
                return packets.Length;
            }
            // The redirect is followed again under this lock: hotplug switches a CPU's packets to or back from this
            // backlog while holding it, so a sender that looked before a switch cannot queue behind it here (a packet
            // of a flow already steered back would be delivered after newer ones).
            if (Follow(home) is var owner && owner != _cpu)
            {
                redirect = owner;
                return -1;
            }
            // The packets that find the queue below netdev_max_backlog and flow limit not yet engaged are all admitted:
            // they go in with one copy, and only the rest are judged one by one.
            int qlen0 = _input.Count;
            int open = (flowLimit is null ? _maxBacklog + 1 : Math.Min(_maxBacklog + 1, FlowLimitTable.EngageLength(_maxBacklog))) - qlen0;
            int bulk = Math.Clamp(open, 0, packets.Length);
            if (bulk > 0)
            {
                if (qlen0 == 0)
                    schedule = Claim(self);
                _input.Enqueue(packets[..bulk]);
            }
            foreach (var p in packets[bulk..])
            {
                int qlen = _input.Count;
                DropReason reason;
                if (qlen > _maxBacklog)
                {
                    reason = DropReason.Backlog;
                }
                else if (flowLimit is not null && FlowLimitTable.Engaged(qlen, _maxBacklog) && flowLimit.ShouldDrop(p.FlowHash, qlen, _maxBacklog))
                {
                    // The hash is read (and computed, if the device left it to first use) only once flow limit is engaged.
                    reason = DropReason.FlowLimit;
                }
                else
                {
                    if (qlen == 0)
                        schedule |= Claim(self);
                    _input.Enqueue(p);
                    continue;
                }
                packets[dropped] = p;
                reasons[dropped++] = reason;
            }
            _cursors.Tail += packets.Length - dropped;
            return dropped;
        }
    }

    /// <summary>
    /// An enqueue that found the queue empty claims SCHED unless someone holds it; returns whether it did, and the
    /// caller must then kick the CPU (an IPI in softirq mode when <paramref name="self"/> is another CPU). Caller holds
    /// <see cref="QueueLock"/>.
    /// </summary>
    private bool Claim(SoftnetData self)
    {
        if (!TryClaimLocked())
            return false;
        _cursors.IpiClaim = self != _cpu;
        // A local claim is listed here, with the claim: listed after this lock is released, it could follow a CPU
        // offline hand-over that took the claim away, and put the backlog on the list without SCHED.
        if (self == _cpu)
            _cpu.ListNoRaise(this);
        return true;
    }

    /// <summary>Claims SCHED unless someone holds it; the winner must kick the owner (<c>NetStack.KickBacklog</c>). Caller holds <see cref="QueueLock"/>.</summary>
    internal bool TryClaimLocked()
    {
        if (Has(NapiState.Sched))
            return false;
        SetBits(NapiState.Sched);
        return true;
    }

    /// <summary>
    /// Whether a remote enqueue's SCHED claim still waits for this CPU's IPI handler to list the backlog (consumed here).
    /// False for a stale IPI whose claim CPU hotplug handed over with the packets. Caller holds the CPU's bottom half.
    /// </summary>
    public bool TakeIpiClaim()
    {
        lock (QueueLock)
        {
            bool owed = _cursors.IpiClaim;
            _cursors.IpiClaim = false;
            return owed;
        }
    }

    internal override int Poll(in BottomHalf bh, int quota)
    {
        int work = 0;
        while (true)
        {
            while (work < quota && _process.Count > 0)
            {
                int n = _process.Dequeue(_batch.AsSpan(0, Math.Min(quota - work, _batch.Length)));
                _cpu.Deliver(_batch.AsSpan(0, n));
                // Counted once the handler is done with them: a CPU coming online waits on Head before it polls
                // the flows it takes back, so packets still in the handler must not count as taken out yet.
                Volatile.Write(ref _cursors.Head, _cursors.Head + n);
                _batch.AsSpan(0, n).Clear();
                work += n;
            }
            if (work >= quota)
                return quota;
            lock (QueueLock)
            {
                if (_input.Count == 0)
                {
                    // Both queues are empty: the backlog completes itself, keeping only THREADED.
                    ClearBits(NapiState.Sched | NapiState.SchedThreaded | NapiState.Missed);
                    ProtocolChecks.Released(this);
                    return work;
                }
                (_input, _process) = (_process, _input);
            }
        }
    }

    /// <summary>
    /// dev_cpu_dead's hand-over: appends this CPU's process queue, then its input queue, to <paramref name="to"/>'s
    /// input queue, in order and without admission checks, and resets this backlog to idle. Caller holds this CPU's
    /// bottom-half lock and both queue locks.
    /// </summary>
    public int MoveTo(BacklogNapi to)
    {
        int moved = 0;
        foreach (var ring in (ReadOnlySpan<PacketRing>)[_process, _input])
        {
            int n;
            while ((n = ring.Dequeue(_batch)) > 0)
            {
                foreach (var p in _batch.AsSpan(0, n))
                    to._input.Enqueue(p);
                to._cursors.Tail += n;
                moved += n;
            }
        }
        _batch.AsSpan().Clear();
        Volatile.Write(ref _cursors.Head, _cursors.Tail);
        _cursors.IpiClaim = false;
        ClearBits(NapiState.Sched | NapiState.SchedThreaded | NapiState.Missed);
        ProtocolChecks.Released(this);
        return moved;
    }

    /// <summary>Stops admission (later enqueues drop with reason shutdown) and hands back everything queued.</summary>
    public int CloseAndDrain(Span<Packet> scratch, Action<ReadOnlySpan<Packet>> sink)
    {
        int total = 0;
        lock (QueueLock)
        {
            _closed = true;
            foreach (var ring in (ReadOnlySpan<PacketRing>)[_process, _input])
            {
                int n;
                while ((n = ring.Dequeue(scratch)) > 0)
                {
                    sink(scratch[..n]);
                    total += n;
                }
            }
        }
        return total;
    }

    /// <summary>
    /// input_queue_tail and the owed-IPI flag, which senders on other CPUs write under the queue lock, and
    /// input_queue_head, which the polling CPU advances after every delivery, each side on its own 128-byte span, away
    /// from each other and from the backlog's other fields, so neither side's writes evict the line the other is writing.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 3 * Pad + sizeof(long))]
    private struct Cursors
    {
        private const int Pad = 128;

        [FieldOffset(Pad)]
        public long Tail;

        /// <summary>Set by a remote enqueue's SCHED claim until this CPU's IPI handler lists the backlog.</summary>
        [FieldOffset(Pad + sizeof(long))]
        public bool IpiClaim;

        [FieldOffset(2 * Pad)]
        public long Head;
    }
}
