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

    /// <summary>Moves up to <paramref name="dst"/>.Length packets out, oldest first.</summary>
    public int Dequeue(Span<Packet> dst)
    {
        int n = Math.Min(dst.Length, _count);
        for (int i = 0; i < n; i++)
        {
            dst[i] = _items[_head]!;
            _items[_head] = null;
            if (++_head == _items.Length)
                _head = 0;
        }
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
