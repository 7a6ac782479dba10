using Softnet.Steering;

namespace Softnet.Core;

/// <summary>A network device registered with a stack: a name, an ifindex, RX queues with their rps maps, and an up/down state.</summary>
public abstract class NetDevice : IDisposable
{
    private readonly NapiConfig[] _configs;
    private readonly List<Napi> _napis = [];
    private RxQueue[] _rxQueues;
    private long _rxDropped;
    private readonly long[] _txDrops = new long[TxDropReasons.Count];
    private bool _up;
    private int _disposed;
    private int _napiGeneration;

    /// <summary>Registers a device named <paramref name="name"/> with <paramref name="stack"/> (which gives it its ifindex), with <paramref name="rxQueues"/> RX queues and NAPI settings for up to <paramref name="maxQueues"/> queues (0: just the RX queues).</summary>
    protected NetDevice(NetStack stack, string name, int rxQueues, int maxQueues = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 15)
            throw new ArgumentException($"interface name '{name}' is longer than 15 characters (IFNAMSIZ)", nameof(name));
        Stack = stack;
        Name = name;
        _rxQueues = Enumerable.Range(0, rxQueues).Select(i => new RxQueue(i, stack.DefaultRps)).ToArray();
        _configs = Enumerable.Range(0, Math.Max(rxQueues, maxQueues)).Select(i => new NapiConfig(i)).ToArray();
        IfIndex = stack.RegisterDevice(this);
    }

    /// <summary>The stack the device is registered with.</summary>
    public NetStack Stack { get; }

    /// <summary>The device's name, unique within its stack (like <c>lo</c> or <c>eth0</c>).</summary>
    public string Name { get; }

    /// <summary>The interface index the stack gave the device (ifindex).</summary>
    public int IfIndex { get; }

    /// <summary>Whether the device is up (IFF_UP): taking packets in and delivering them.</summary>
    public bool IsUp => Volatile.Read(ref _up);

    /// <summary>The device's RX queues, indexed by queue number; replaced as a whole when the queue count changes.</summary>
    public IReadOnlyList<RxQueue> RxQueues => Volatile.Read(ref _rxQueues);

    /// <summary>Packets this device lost before reaching a handler (backlog, flow limit, device down), as rx_dropped.</summary>
    public long RxDropped => Volatile.Read(ref _rxDropped);

    /// <summary>The device-level threaded value (sysfs <c>threaded</c>): the last mode written for the whole device.</summary>
    public ThreadedMode Threaded { get; private set; }

    /// <summary>The NAPIs currently added, by queue index.</summary>
    public IReadOnlyList<Napi> Napis
    {
        get
        {
            lock (Control)
                return _napis.OrderBy(n => n.Index).ToArray();
        }
    }

    /// <summary>Changes whenever a NAPI is added or deleted, so a poller knows when to re-read <see cref="Napis"/>.</summary>
    internal int NapiGeneration => Volatile.Read(ref _napiGeneration);

    /// <summary>The persistent per-queue NAPI settings, including slots with no live NAPI.</summary>
    public IReadOnlyList<NapiConfig> NapiConfigs => _configs;

    /// <summary>Whether the device's queues are polled by NAPIs; a device that only calls netif_rx has none to configure.</summary>
    protected virtual bool UsesNapi => true;

    /// <summary>Serializes control operations on this device (the netdev instance lock).</summary>
    protected internal Lock Control { get; } = new();

    /// <summary>
    /// dev-set threaded: applies the mode to every NAPI and writes it into every config slot, live or not. Turning
    /// it off also stops threads parked in removed slots.
    /// </summary>
    public void SetThreaded(ThreadedMode mode)
    {
        ThreadedModes.Validate(mode);
        // As the sysfs file answers for a device whose napi_list is empty.
        if (!UsesNapi)
            throw new NotSupportedException($"EOPNOTSUPP: {Name} has no NAPIs to thread");
        lock (Control)
        {
            foreach (var napi in _napis)
                napi.SetThreadedMode(mode);
            foreach (var config in _configs)
            {
                config.Threaded = mode;
                if (mode == ThreadedMode.Disabled)
                    StopParkedThread(config);
            }
            Threaded = mode;
        }
    }

    /// <summary>napi-set: the fields given are applied to the live NAPI and its config; the threaded mode first.</summary>
    public void SetNapi(Napi napi, ThreadedMode? threaded = null, int? deferHardIrqs = null, long? groFlushTimeoutNs = null, long? irqSuspendTimeoutNs = null)
    {
        if (threaded is { } t)
            ThreadedModes.Validate(t);
        if (deferHardIrqs is { } d)
            NapiConfigRanges.DeferHardIrqs.Check(d);
        if (groFlushTimeoutNs is { } g)
            NapiConfigRanges.GroFlushTimeoutNs.Check(g);
        if (irqSuspendTimeoutNs is { } s)
            NapiConfigRanges.IrqSuspendTimeoutNs.Check(s);
        lock (Control)
        {
            if (napi.Device != this || !_napis.Contains(napi))
                throw new ArgumentException($"NAPI {napi.Id} is not on {Name}", nameof(napi));
            if (threaded is { } mode)
                napi.SetThreadedMode(mode);
            if (deferHardIrqs is { } defer)
                napi.DeferHardIrqs = napi.Config!.DeferHardIrqs = defer;
            if (groFlushTimeoutNs is { } gro)
                napi.GroFlushTimeoutNs = napi.Config!.GroFlushTimeoutNs = gro;
            if (irqSuspendTimeoutNs is { } suspend)
                napi.IrqSuspendTimeoutNs = napi.Config!.IrqSuspendTimeoutNs = suspend;
        }
    }

    /// <summary>
    /// netif_napi_add_config: attach a new NAPI to queue slot <paramref name="index"/>, disabled. A thread parked in
    /// the slot by an earlier delete is handed to it, so the queue keeps its thread and OS thread id.
    /// </summary>
    private protected void NapiAdd(Napi napi, int index)
    {
        lock (Control)
        {
            var config = _configs[index];
            napi.Device = this;
            napi.Index = index;
            napi.Config = config;
            napi.SetBits(NapiState.Listed);
            if (config.ParkedThread is { } parked)
            {
                config.ParkedThread = null;
                napi.Thread = parked;
                parked.Napi = napi;
            }
            _napis.Add(napi);
            Interlocked.Increment(ref _napiGeneration);
        }
    }

    /// <summary>napi_enable: restore the slot's id and settings, apply its threaded mode, then let it be scheduled.</summary>
    private protected void NapiEnable(Napi napi)
    {
        lock (Control)
        {
            var config = napi.Config!;
            if (config.NapiId == 0)
                config.NapiId = Stack.AllocateNapiId();
            napi.Id = config.NapiId;
            napi.DeferHardIrqs = config.DeferHardIrqs;
            napi.GroFlushTimeoutNs = config.GroFlushTimeoutNs;
            napi.IrqSuspendTimeoutNs = config.IrqSuspendTimeoutNs;
            napi.SetThreadedMode(config.Threaded);
            napi.Enable();
            if (config.Threaded == ThreadedMode.BusyPoll)
                napi.Schedule();
        }
    }

    /// <summary>napi_disable: wait for the current poller, hold the NAPI, save its settings into the slot.</summary>
    private protected void NapiDisable(Napi napi)
    {
        napi.Disable();
        lock (Control)
        {
            napi.Config!.DeferHardIrqs = napi.DeferHardIrqs;
            napi.Config.GroFlushTimeoutNs = napi.GroFlushTimeoutNs;
            napi.Config.IrqSuspendTimeoutNs = napi.IrqSuspendTimeoutNs;
        }
    }

    /// <summary>__netif_napi_del: detach a disabled NAPI; its thread is parked in the slot, not stopped.</summary>
    private protected void NapiDelete(Napi napi)
    {
        lock (Control)
        {
            napi.ClearBits(NapiState.Listed);
            _napis.Remove(napi);
            Interlocked.Increment(ref _napiGeneration);
            if (napi.Thread is { } thread)
            {
                thread.Napi = null;
                napi.Thread = null;
                napi.Config!.ParkedThread = thread;
            }
            napi.Config = null;
        }
    }

    private static void StopParkedThread(NapiConfig config)
    {
        if (config.ParkedThread is not { } parked)
            return;
        config.ParkedThread = null;
        parked.Stop();
        parked.Handle.Join(Timeout.InfiniteTimeSpan);
    }

    /// <summary>Sets every RX queue's rps_cpus (a sysfs-style CPU mask; empty turns RPS off).</summary>
    public void SetRpsCpus(string mask)
    {
        var cpus = CpuMask.Parse(mask, Stack.CpuCount, "rps_cpus");
        foreach (var q in RxQueues)
            q.Rps = cpus.Length > 0 ? new RpsMap(cpus) : null;
    }

    /// <summary>The most RX queues <see cref="SetChannels"/> accepts (the number of NAPI config slots).</summary>
    public int MaxChannels => _configs.Length;

    /// <summary>ethtool -L: change the number of RX queues while traffic flows; removed queues' NAPIs are deleted and re-added later.</summary>
    public virtual void SetChannels(int rx) =>
        throw new NotSupportedException($"{Name} has a fixed number of queues");

    /// <summary>
    /// ip link set down (dev_close): stop receiving; what the queues hold is delivered or counted, later packets are
    /// counted as drop reason device_down, and the NAPIs leave the lists (their configs stay).
    /// </summary>
    public virtual void SetDown() => throw new NotSupportedException($"EOPNOTSUPP: {Name} cannot be taken down");

    /// <summary>ip link set up (dev_open): the NAPIs come back with their configs' ids, threaded modes and threads.</summary>
    public virtual void SetUp() => throw new NotSupportedException($"EOPNOTSUPP: {Name} cannot be brought up");

    /// <summary>The queues whose interrupts follow CPU hotplug, by queue number (a down queue's discarding interrupt included); none by default.</summary>
    internal virtual IReadOnlyList<Napi> IrqQueues => [];

    /// <summary>The CPU queue <paramref name="queue"/>'s interrupt belongs to (its affinity), or the CPU standing in for it while it is offline.</summary>
    internal virtual SoftnetData AffineCpu(int queue)
    {
        var c = Stack.Cpu(queue % Stack.CpuCount);
        return c.StandIn ?? c;
    }

    /// <summary>Moves the device's queue interrupts off a CPU that went offline (migrate_irqs).</summary>
    internal void OnCpuOffline(SoftnetData cpu, SoftnetData replacement)
    {
        if (IrqQueues.Count == 0)
            return;
        lock (Control)
        {
            foreach (var q in IrqQueues)
            {
                if (q.IrqCpu == cpu)
                    q.MoveIrq(replacement);
            }
        }
    }

    /// <summary>Moves the interrupts whose affinity is a CPU that came online back to it.</summary>
    internal void OnCpuOnline(SoftnetData cpu)
    {
        if (IrqQueues.Count == 0)
            return;
        lock (Control)
        {
            var queues = IrqQueues;
            for (int i = 0; i < queues.Count; i++)
            {
                var q = queues[i];
                if (q.IrqCpu is { } at && at != cpu && AffineCpu(i) == cpu)
                    q.MoveIrq(cpu);
            }
        }
    }

    internal void CountRxDropped(long packets = 1) => Interlocked.Add(ref _rxDropped, packets);

    /// <summary>Replies this device could not send, for any reason (tx_dropped).</summary>
    public long TxDropped
    {
        get
        {
            long sum = 0;
            foreach (var r in TxDropReasons.All)
                sum += TxDropCount(r);
            return sum;
        }
    }

    /// <summary>Replies this device could not send for <paramref name="reason"/>.</summary>
    public long TxDropCount(TxDropReason reason) => Volatile.Read(ref _txDrops[(int)reason]);

    /// <summary>The TX half of the drop ledger: counts <paramref name="count"/> replies not sent, under their reason and tx_dropped.</summary>
    internal void DropTx(TxDropReason reason, long count = 1)
    {
        if (count > 0)
            Interlocked.Add(ref _txDrops[(int)reason], count);
    }

    /// <summary>Marks the device up or down for <see cref="IsUp"/>; a driver calls it as its link opens or closes.</summary>
    protected void SetUp(bool up) => Volatile.Write(ref _up, up);

    /// <summary>Sets the number of RX queues to <paramref name="count"/>, keeping the existing queues and their RPS maps; new queues get the stack's default RPS map.</summary>
    protected void ResizeRxQueues(int count)
    {
        var old = RxQueues;
        var next = new RxQueue[count];
        for (int i = 0; i < count; i++)
            next[i] = i < old.Count ? old[i] : new RxQueue(i, Stack.DefaultRps);
        Volatile.Write(ref _rxQueues, next);
    }

    /// <summary>Takes the device down, stops its queues and parked threads, and unregisters it from the stack; later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Volatile.Write(ref _up, false);
        Close();
        lock (Control)
        {
            foreach (var config in _configs)
                StopParkedThread(config);
        }
        Stack.UnregisterDevice(this);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the device's queues; packets it had taken in are delivered or counted before this returns.</summary>
    protected abstract void Close();
}
