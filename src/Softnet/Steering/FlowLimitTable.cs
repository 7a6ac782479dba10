namespace Softnet.Steering;

/// <summary>
/// A CPU's flow-limit table (CONFIG_NET_FLOW_LIMIT): while the target backlog is at least half full, a flow that
/// holds more than half of the last 128 enqueues on this CPU is dropped, so one heavy flow cannot starve the others.
/// </summary>
internal sealed class FlowLimitTable
{
    private const int History = 128;

    private readonly Lock _lock = new();
    private readonly byte[] _buckets;
    private readonly int[] _history = new int[History];
    private readonly int _shift;
    private int _historyHead;

    public FlowLimitTable(int tableLen)
    {
        _buckets = new byte[tableLen];
        _shift = 32 - System.Numerics.BitOperations.Log2((uint)tableLen);
    }

    /// <summary>Drops decided by this table (softnet_stat column 11 of the enqueuing CPU).</summary>
    public long Count;

    /// <summary>Whether flow limit judges packets for a backlog this full: from half of netdev_max_backlog on, so below it no flow hash is needed.</summary>
    public static bool Engaged(int targetQueueLength, int maxBacklog) => targetQueueLength >= EngageLength(maxBacklog);

    /// <summary>The queue length from which flow limit judges packets (half of netdev_max_backlog).</summary>
    public static int EngageLength(int maxBacklog) => maxBacklog / 2;

    public bool ShouldDrop(uint flowHash, int targetQueueLength, int maxBacklog)
    {
        if (!Engaged(targetQueueLength, maxBacklog))
            return false;
        // hash_32: a multiplicative hash keeping the top bits.
        int bucket = _shift == 32 ? 0 : (int)((flowHash * 0x61C88647u) >> _shift);
        lock (_lock)
        {
            int old = _history[_historyHead];
            _history[_historyHead] = bucket;
            _historyHead = (_historyHead + 1) & (History - 1);
            if (_buckets[old] > 0)
                _buckets[old]--;
            if (_buckets[bucket] < byte.MaxValue)
                _buckets[bucket]++;
            if (_buckets[bucket] > History / 2)
            {
                Count++;
                return true;
            }
            return false;
        }
    }
}
