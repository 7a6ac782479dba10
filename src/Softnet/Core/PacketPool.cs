namespace Softnet.Core;

/// <summary>
/// One CPU's packet pool with its deferred-free list (skb_attempt_defer_free). Packets freed on the owning CPU
/// go straight back; packets freed elsewhere are pushed on a lock-free list that the owner drains, and the owner
/// is kicked once per fill, when the list reaches half of <c>skb_defer_max</c>.
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
    private Packet? _deferHead;
    private int _deferCount;

    public PacketPool(int cpu, int bufferSize, int prealloc, int limit, int deferMax)
    {
        Cpu = cpu;
        _bufferSize = bufferSize;
        _limit = limit;
        _deferMax = deferMax;
        _free = new Packet[Math.Max(prealloc, 64)];
        for (; _count < prealloc; _count++)
            _free[_count] = new Packet(this, bufferSize);
        _total = prealloc;
    }

    public int Cpu { get; }

    /// <summary>Packets this pool created after its preallocation (non-zero growth means steady state was not reached yet).</summary>
    public long Grown { get; private set; }

    public int Total => Volatile.Read(ref _total);

    public int Available => Volatile.Read(ref _count);

    public int DeferCount => Volatile.Read(ref _deferCount);

    /// <summary>Fills <paramref name="dst"/> with clean packets; returns fewer only when the pool limit is reached.</summary>
    public int Rent(Span<Packet> dst)
    {
        if (Volatile.Read(ref _count) < dst.Length)
            FlushDefer();
        lock (_lock)
        {
            int n = Math.Min(dst.Length, _count);
            _free.AsSpan(_count - n, n).CopyTo(dst);
            _free.AsSpan(_count - n, n).Clear();
            _count -= n;
            while (n < dst.Length && _total < _limit)
            {
                dst[n++] = new Packet(this, _bufferSize);
                _total++;
                Grown++;
            }
            ProtocolChecks.Rented(dst[..n]);
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

    /// <summary>Frees a packet of this pool from another CPU. Returns true when the owner must be kicked to drain.</summary>
    public bool Defer(Packet p)
    {
        if (_deferMax == 0)
        {
            Return(new ReadOnlySpan<Packet>(ref p));
            return false;
        }
        int count = Interlocked.Increment(ref _deferCount);
        if (count >= _deferMax)
        {
            // The list is full: free here, as the kernel does; the owner has been kicked already.
            Return(new ReadOnlySpan<Packet>(ref p));
            return false;
        }
        ProtocolChecks.Freed(new ReadOnlySpan<Packet>(ref p));
        p.Reset();
        Packet? head;
        do
        {
            head = Volatile.Read(ref _deferHead);
            p.Next = head;
        }
        while (Interlocked.CompareExchange(ref _deferHead, p, head) != head);
        return count - 1 == _deferMax / 2;
    }

    /// <summary>Packets wait on the defer list (a racy look, as the kernel's defer_count check).</summary>
    internal bool HasDeferred => Volatile.Read(ref _deferHead) is not null;

    /// <summary>Moves every deferred packet back into the pool (skb_defer_free_flush); returns how many.</summary>
    public int FlushDefer()
    {
        if (Volatile.Read(ref _deferHead) is null)
            return 0;
        // Zeroed before detaching, as the kernel does, so a packet deferred in between is counted against the next fill.
        Volatile.Write(ref _deferCount, 0);
        Packet? chain = Interlocked.Exchange(ref _deferHead, null);
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
}
