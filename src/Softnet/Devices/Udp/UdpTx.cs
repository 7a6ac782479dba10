namespace Softnet.Devices.Udp;

/// <summary>
/// One CPU's batch of replies, sent with one sendmmsg at the end of the round that queued them, or handed to an
/// io_uring queue's ring (<see cref="HeldBy"/>), which submits them at once (or, what the kernel did not take then,
/// with its owner's wait).
/// </summary>
internal sealed unsafe class UdpTx
{
    private readonly MessageBatch _batch;
    private readonly byte[][] _buffers;
    private int _count;

    public UdpTx(int capacity, int bufferSize)
    {
        _batch = new MessageBatch(capacity);
        _buffers = new byte[capacity][];
        for (int i = 0; i < capacity; i++)
            _buffers[i] = GC.AllocateArray<byte>(bufferSize, pinned: true);
    }

    public bool IsFull => _count == _buffers.Length;

    public int Count => _count;

    /// <summary>The queue whose ring holds this batch's messages until the kernel has taken them; null when the batch is free.</summary>
    public UdpQueue? HeldBy { get; set; }

    /// <summary>Message <paramref name="index"/>'s msghdr, for a ring's SENDMSG.</summary>
    public Interop.Libc.MsgHdr* Message(int index) => _batch.SendHeader(index);

    /// <summary>Empties the batch once a ring has sent it.</summary>
    public void Clear() => _count = 0;

    /// <summary>Queues a copy of <paramref name="payload"/> to <paramref name="destination"/>; false when it does not fit a buffer.</summary>
    public bool Add(ReadOnlySpan<byte> destination, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _buffers[_count].Length)
            return false;
        payload.CopyTo(_buffers[_count]);
        _batch.SetBuffer(_count, _buffers[_count], payload.Length);
        _batch.SetDestination(_count, destination);
        _count++;
        return true;
    }

    /// <summary>Sends what is queued; returns how many the kernel took (the rest are TX drops).</summary>
    public int Flush(int fd)
    {
        int count = _count;
        _count = 0;
        if (count == 0)
            return 0;
        int sent = _batch.Send(fd, count);
        return sent < 0 ? 0 : sent;
    }
}
