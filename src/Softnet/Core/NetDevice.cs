using Softnet.Devices;
using Softnet.Steering;

namespace Softnet.Core;

/// <summary>A network device registered with a stack: a name, an ifindex, RX queues with their rps maps, and an up/down state.</summary>
public abstract class NetDevice : IDisposable
{
    private RxQueue[] _rxQueues;
    private long _rxDropped;
    private volatile bool _up;
    private int _disposed;

    protected NetDevice(NetStack stack, string name, int rxQueues)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 15)
            throw new ArgumentException($"interface name '{name}' is longer than 15 characters (IFNAMSIZ)", nameof(name));
        Stack = stack;
        Name = name;
        _rxQueues = Enumerable.Range(0, rxQueues).Select(i => new RxQueue(i, stack.DefaultRps)).ToArray();
        IfIndex = stack.RegisterDevice(this);
    }

    public NetStack Stack { get; }

    public string Name { get; }

    public int IfIndex { get; }

    public bool IsUp => _up;

    public IReadOnlyList<RxQueue> RxQueues => Volatile.Read(ref _rxQueues);

    /// <summary>Packets this device lost before reaching a handler (backlog, flow limit, device down), as rx_dropped.</summary>
    public long RxDropped => Volatile.Read(ref _rxDropped);

    /// <summary>Sets every RX queue's rps_cpus (a sysfs-style CPU mask; empty turns RPS off).</summary>
    public void SetRpsCpus(string mask)
    {
        var cpus = CpuMask.Parse(mask, Stack.CpuCount, "rps_cpus");
        foreach (var q in RxQueues)
            q.Rps = cpus.Length > 0 ? new RpsMap(cpus) : null;
    }

    internal void CountRxDropped() => Interlocked.Increment(ref _rxDropped);

    protected void SetUp(bool up) => _up = up;

    protected void ResizeRxQueues(int count)
    {
        var old = RxQueues;
        var next = new RxQueue[count];
        for (int i = 0; i < count; i++)
            next[i] = i < old.Count ? old[i] : new RxQueue(i, Stack.DefaultRps);
        Volatile.Write(ref _rxQueues, next);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _up = false;
        Close();
        Stack.UnregisterDevice(this);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the device's queues; packets it had taken in are delivered or counted before this returns.</summary>
    protected abstract void Close();
}
