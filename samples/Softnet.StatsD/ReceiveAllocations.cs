namespace Softnet.StatsD;

/// <summary>
/// Bytes the packet threads allocated while receiving: at each batch a thread adds what it allocated since its
/// previous batch (the stack's poll, the device's receive and the aggregation of that batch), so the total divided by
/// the datagrams received is the receive path's allocation per datagram, measured on the live server. A thread's
/// first batch only sets its starting point: what it allocated before it (start-up) is not receiving.
/// </summary>
public sealed class ReceiveAllocations
{
    // The thread's own allocation total at its previous batch; 0 until its first. Per thread, so the threads of the
    // stack never share it; a thread serves one server.
    [ThreadStatic]
    private static long t_seen;

    private long _bytes;

    /// <summary>Bytes allocated on the packet threads between their first batch and their latest.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Called by the handler at each batch, on the thread that delivers it. Allocates nothing.</summary>
    public void Observe()
    {
        long now = GC.GetAllocatedBytesForCurrentThread();
        if (t_seen != 0)
            Interlocked.Add(ref _bytes, now - t_seen);
        t_seen = now;
    }
}
