namespace Softnet.Devices.Udp;

/// <summary>One CPU's batch of replies, sent with one sendmmsg at the end of the round that queued them.</summary>
internal sealed class UdpTx
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
