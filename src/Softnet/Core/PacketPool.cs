using System.Runtime.InteropServices;

namespace Softnet.Core;

/// <summary>
/// One CPU's packet pool with its deferred-free list (skb_attempt_defer_free). Packets freed on the owning CPU
/// go straight back; packets freed elsewhere are pushed on a lock-free list that the owner drains, a whole batch's
/// chain with one compare-and-swap, and the owner is kicked once per fill, when the list passes half of
/// <c>skb_defer_max</c>. A pool that runs dry takes free packets from its siblings before it allocates: the stack's
/// packets in flight are bounded as a whole (backlogs, defer lists, rings, batches;
/// <see cref="NetStackOptions.InFlightPacketsPerCpu"/>), but RPS can leave one CPU's packets queued on every CPU at
/// once, so per-CPU pools sized to the per-CPU bound stay enough only together.
/// </summary>
internal sealed class PacketPool
{
    private readonly Lock _lock = new();
    private readonly int _bufferSize;
    private readonly int _limit;
    private readonly int _deferMax;
    private Packet[] _free;
    private int _count;
    private int _total;
    private DeferList _defer;
    private PacketPool[] _siblings = [];

    public PacketPool(int cpu, int bufferSize, int prealloc, int limit, int deferMax)
    {
        Cpu = cpu;
        _bufferSize = bufferSize;
        _limit = limit;
        _deferMax = deferMax;
        // Room for twice the preallocation, so packets borrowed from siblings (and returned here) never resize it.
        _free = new Packet[Math.Max(2 * prealloc, 64)];
        for (; _count < prealloc; _count++)
            _free[_count] = new Packet(this, bufferSize);
        _total = prealloc;
    }

    public int Cpu { get; }

    /// <summary>Packets this pool created after its preallocation (non-zero growth means steady state was not reached yet).</summary>
    public long Grown { get; private set; }

    public int Total => Volatile.Read(ref _total);

    public int Available => Volatile.Read(ref _count);

    /// <summary>Packets on the defer list, as its head recorded when it was pushed.</summary>
    public int DeferCount => Volatile.Read(ref _defer.Head)?.DeferTotal ?? 0;

    /// <summary>Packets this pool took from sibling pools when it ran dry.</summary>
    public long Borrowed { get; private set; }

    /// <summary>The stack's pools, which this one takes free packets from before it allocates.</summary>
    internal void ShareWith(PacketPool[] pools) => _siblings = pools;

    /// <summary>Fills <paramref name="dst"/> with clean packets; returns fewer only when the pool limit is reached.</summary>
    public int Rent(Span<Packet> dst)
    {
        if (Volatile.Read(ref _count) < dst.Length)
            FlushDefer();
        int n = Take(dst, lend: false);
        if (n < dst.Length)
            n += Borrow(dst[n..]);
        if (n < dst.Length)
        {
            lock (_lock)
            {
                while (n < dst.Length && _total < _limit)
                {
                    dst[n++] = new Packet(this, _bufferSize);
                    _total++;
                    Grown++;
                }
            }
        }
        ProtocolChecks.Rented(dst[..n]);
        return n;
    }

    /// <summary>Takes free packets from sibling pools into <paramref name="dst"/>, making them this pool's; returns how many.</summary>
    private int Borrow(Span<Packet> dst)
    {
        // Borrowed packets come back to this pool: take no more than its free array holds without growing.
        int room;
        lock (_lock)
            room = _free.Length - _total;
        if (room < dst.Length)
            dst = dst[..Math.Max(room, 0)];
        int got = 0;
        foreach (var other in _siblings)
        {
            if (got == dst.Length)
                break;
            if (other != this && other._bufferSize == _bufferSize)
                got += other.Lend(dst[got..], this);
        }
        if (got == 0)
            return 0;
        lock (_lock)
        {
            _total += got;
            Borrowed += got;
        }
        return got;
    }

    /// <summary>Gives up to <paramref name="dst"/>'s length free packets to <paramref name="to"/> (one lock at a time, so two dry pools cannot deadlock).</summary>
    private int Lend(Span<Packet> dst, PacketPool to)
    {
        if (Volatile.Read(ref _count) == 0)
            return 0;
        int n = Take(dst, lend: true);
        foreach (var p in dst[..n])
            p.Owner = to;
        return n;
    }

    /// <summary>Moves up to <paramref name="dst"/>'s length packets off the free list; lent ones leave the pool's total too.</summary>
    private int Take(Span<Packet> dst, bool lend)
    {
        lock (_lock)
        {
            int n = Math.Min(dst.Length, _count);
            _free.AsSpan(_count - n, n).CopyTo(dst);
            _free.AsSpan(_count - n, n).Clear();
            _count -= n;
            if (lend)
                _total -= n;
            return n;
        }
    }

    /// <summary>Returns packets owned by this pool.</summary>
    public void Return(ReadOnlySpan<Packet> packets)
    {
        ProtocolChecks.Freed(packets);
        foreach (var p in packets)
            p.Reset();
        lock (_lock)
        {
            EnsureRoom(packets.Length);
            packets.CopyTo(_free.AsSpan(_count));
            _count += packets.Length;
        }
    }

    /// <summary>
    /// Frees a chain of this pool's packets (linked by <see cref="Packet.Next"/> from <paramref name="head"/> to
    /// <paramref name="tail"/>, <paramref name="count"/> of them, already reset) from another CPU: pushed on the defer
    /// list with one compare-and-swap. The list's length travels with its head, so the push needs no second atomic.
    /// Returns true when this push took the list past half of <c>skb_defer_max</c> and the owner must be kicked to drain.
    /// </summary>
    public bool Defer(Packet head, Packet tail, int count)
    {
        if (_deferMax == 0)
        {
            ReturnChain(head);
            return false;
        }
        while (true)
        {
            tail.Next = null;
            var old = Volatile.Read(ref _defer.Head);
            // Read after the head: a head flushed and pushed again in between (ABA) can leave the length short by the
            // packets pushed since, until the next flush; it steers only the kick and the bound, never a packet's fate.
            int before = old?.DeferTotal ?? 0;
            int room = _deferMax - 1 - before;
            if (room < count)
            {
                // The list is full: the rest is freed here, as the kernel does; the owner has been kicked already.
                if (room <= 0)
                {
                    ReturnChain(head);
                    return false;
                }
                var last = head;
                for (int i = 1; i < room; i++)
                    last = last.Next!;
                ReturnChain(last.Next);
                last.Next = null;
                tail = last;
                count = room;
            }
            head.DeferTotal = before + count;
            tail.Next = old;
            if (Interlocked.CompareExchange(ref _defer.Head, head, old) == old)
                return before <= _deferMax / 2 && before + count > _deferMax / 2;
        }
    }

    /// <summary>Packets wait on the defer list (a racy look, as the kernel's defer_count check).</summary>
    internal bool HasDeferred => Volatile.Read(ref _defer.Head) is not null;

    /// <summary>Moves every deferred packet back into the pool (skb_defer_free_flush); returns how many.</summary>
    public int FlushDefer()
    {
        if (!HasDeferred)
            return 0;
        // Detaching the chain also zeroes the length, which its head carries.
        return ReturnChain(Interlocked.Exchange(ref _defer.Head, null));
    }

    /// <summary>Puts a chain of reset packets back on the free list; returns how many.</summary>
    private int ReturnChain(Packet? chain)
    {
        int n = 0;
        lock (_lock)
        {
            while (chain is not null)
            {
                var next = chain.Next;
                chain.Next = null;
                EnsureRoom(1);
                _free[_count++] = chain;
                chain = next;
                n++;
            }
        }
        return n;
    }

    private void EnsureRoom(int more)
    {
        if (_count + more > _free.Length)
            Array.Resize(ref _free, Math.Max(_free.Length * 2, _count + more));
    }

    /// <summary>
    /// The defer list's head, which other CPUs push to, on its own 128-byte span, away from the owner's free list and
    /// counts, so remote frees do not evict the line the owner's rents and returns write.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 2 * Pad + 8)]
    private struct DeferList
    {
        private const int Pad = 128;

        [FieldOffset(Pad)]
        public Packet? Head;
    }
}
