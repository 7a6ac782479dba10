namespace Softnet.Core;

/// <summary>A fixed-capacity FIFO of packets; the backlog's input and process queues. Not thread-safe.</summary>
internal sealed class PacketRing(int capacity)
{
    private Packet?[] _items = new Packet?[capacity];
    private int _head;
    private int _count;

    /// <summary>Readable without the owner's lock, as the kernel's lockless qlen read.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Appends; grows only when full, which admission prevents except when a CPU going offline hands its queue over.</summary>
    public void Enqueue(Packet p)
    {
        if (_count == _items.Length)
            Grow();
        int tail = _head + _count;
        if (tail >= _items.Length)
            tail -= _items.Length;
        _items[tail] = p;
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Appends <paramref name="packets"/> in order, with at most two copies (the ring may wrap).</summary>
    public void Enqueue(ReadOnlySpan<Packet> packets)
    {
        while (_count + packets.Length > _items.Length)
            Grow();
        int tail = _head + _count;
        if (tail >= _items.Length)
            tail -= _items.Length;
        int first = Math.Min(packets.Length, _items.Length - tail);
        packets[..first].CopyTo(_items.AsSpan(tail)!);
        packets[first..].CopyTo(_items.AsSpan()!);
        Volatile.Write(ref _count, _count + packets.Length);
    }

    /// <summary>Moves up to <paramref name="dst"/>.Length packets out, oldest first, with at most two copies.</summary>
    public int Dequeue(Span<Packet> dst)
    {
        int n = Math.Min(dst.Length, _count);
        int first = Math.Min(n, _items.Length - _head);
        var head = _items.AsSpan(_head, first);
        head.CopyTo(dst!);
        head.Clear();
        var wrapped = _items.AsSpan(0, n - first);
        wrapped.CopyTo(dst[first..]!);
        wrapped.Clear();
        _head += n;
        if (_head >= _items.Length)
            _head -= _items.Length;
        Volatile.Write(ref _count, _count - n);
        return n;
    }

    private void Grow()
    {
        var next = new Packet?[_items.Length * 2];
        for (int i = 0; i < _count; i++)
            next[i] = _items[(_head + i) % _items.Length];
        _items = next;
        _head = 0;
    }
}
