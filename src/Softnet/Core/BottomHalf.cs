namespace Softnet.Core;

/// <summary>
/// One CPU's bottom half, entered by whoever polls for that CPU (local_bh_disable): it holds the CPU's bottom-half lock,
/// so there is one poller per CPU at a time, and makes the CPU the calling thread's current one. Leaving it
/// (local_bh_enable, <see cref="Dispose"/>) runs the poll epilogue, <see cref="SoftnetData.PollEpilogue"/>: deferred
/// frees, the RPS IPIs the polls queued, and the TX flushes they asked for. A NAPI's poll, netif_receive_skb_list and the
/// delivery to the handler run inside one.
/// </summary>
internal readonly ref struct BottomHalf
{
    [ThreadStatic]
    private static SoftnetData? t_current;

    private readonly SoftnetData _cpu;
    private readonly SoftnetData? _outer;

    /// <summary>Enters with the bottom-half lock already taken by the caller.</summary>
    private BottomHalf(SoftnetData cpu, bool _)
    {
        _cpu = cpu;
        _outer = t_current;
        t_current = cpu;
    }

    /// <summary>The CPU this bottom half runs for.</summary>
    public SoftnetData Cpu => _cpu;

    /// <summary>The CPU whose bottom half the calling thread is in; null outside NAPI context.</summary>
    internal static SoftnetData? Current => t_current;

    /// <summary>
    /// Makes the calling thread's storage for its current bottom half, which the runtime allocates on a thread's first
    /// use of it: a stack thread calls this when it starts, so its first interrupt or poll allocates nothing.
    /// </summary>
    internal static void PrepareThread() => t_current = null;

    /// <summary>Waits for <paramref name="cpu"/>'s bottom-half lock and enters.</summary>
    internal static BottomHalf Enter(SoftnetData cpu)
    {
        cpu.Bh.Enter();
        return new BottomHalf(cpu, true);
    }

    /// <summary>Enters when no one else is in <paramref name="cpu"/>'s bottom half; false (and nothing held) otherwise.</summary>
    internal static bool TryEnter(SoftnetData cpu, out BottomHalf bh)
    {
        if (!cpu.Bh.TryEnter())
        {
            bh = default;
            return false;
        }
        bh = new BottomHalf(cpu, true);
        return true;
    }

    /// <summary>local_bh_enable: the poll epilogue, then the lock and the caller's previous context are given back.</summary>
    public void Dispose()
    {
        try
        {
            _cpu.PollEpilogue();
        }
        finally
        {
            t_current = _outer;
            _cpu.Bh.Exit();
        }
    }
}
