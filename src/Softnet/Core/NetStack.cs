using Softnet.Diagnostics;
using Softnet.Overload;
using Softnet.Scheduling;
using Softnet.Steering;

namespace Softnet.Core;

/// <summary>
/// A receive stack: N logical CPUs, each with its softnet state and softirq thread, the devices feeding them, and
/// the application's handler. Packets enter through a NAPI's poll or through <see cref="NetifRx(Packet)"/>, are
/// steered by RPS to a CPU's backlog, and are delivered in batches in NAPI context.
/// </summary>
public sealed partial class NetStack : IDisposable
{
    /// <summary>NAPI ids start above the range the kernel reserves for sender-CPU hints (NR_CPUS).</summary>
    public const int FirstNapiId = 8193;

    [ThreadStatic]
    private static SoftnetData? t_bh;

    [ThreadStatic]
    private static SoftnetData? t_home;

    private readonly SoftnetData[] _cpus;
    private readonly int[] _osCpuToCpu;
    private readonly List<NetDevice> _devices = [];
    private readonly HashSet<string> _logged = [];
    private readonly List<NapiThread> _backlogThreads = [];
    private readonly RealtimeThreads _realtime;
    private int _nextIfIndex = 1;
    private int _nextNapiId = FirstNapiId;
    private int _disposed;

    public NetStack(NetStackOptions options, PacketHandler handler)
    {
        options.Validate();
        Options = options;
        Platform = options.Platform;
        Handler = handler;
        _realtime = RealtimeThreads.Start(options, LogOnce);
        OverloadControl = new OverloadControl(this);
        var allowed = Platform.AllowedOsCpus();
        _cpus = new SoftnetData[options.Cpus];
        for (int i = 0; i < _cpus.Length; i++)
            _cpus[i] = new SoftnetData(this, i, allowed[i % allowed.Count]);
        _osCpuToCpu = new int[allowed.Max() + 1];
        Array.Fill(_osCpuToCpu, -1);
        for (int i = allowed.Count - 1; i >= 0; i--)
            _osCpuToCpu[allowed[i]] = i % _cpus.Length;
        DefaultRps = CpuMask.Parse(options.RpsCpus, options.Cpus, nameof(options.RpsCpus));
        Metrics = options.Metrics ? new SoftnetMetrics(this, options.MeterFactory) : null;
        foreach (var cpu in _cpus)
        {
            cpu.Backlog.Enable();
            cpu.StartSoftirqThread();
            if (options.Mode == KickMode.BacklogThreads)
            {
                var t = new NapiThread(this, $"backlog_napi/{cpu.Cpu}", cpu) { Napi = cpu.Backlog };
                cpu.BacklogThread = t;
                cpu.Backlog.Thread = t;
                cpu.Backlog.SetBits(NapiState.Threaded);
                _backlogThreads.Add(t);
            }
        }
        Pinned = Options.Pin && _cpus.All(c => c.SoftirqThread!.Pinned) && _backlogThreads.All(t => t.Handle.Pinned);
        if (Options.Pin && !Pinned)
            LogOnce("sched_setaffinity refused: the stack's threads run unpinned");
    }

    public NetStackOptions Options { get; }

    public IPlatform Platform { get; }

    public KickMode Mode => Options.Mode;

    /// <summary>The policy the stack's packet threads run under: SCHED_FIFO at <see cref="NetStackOptions.RtPriority"/> when granted, else SCHED_OTHER.</summary>
    public ThreadPolicy PacketThreadPolicy => _realtime.Wanted;

    /// <summary>Times a SCHED_FIFO packet thread demoted itself to SCHED_OTHER while its CPU was overloaded (<see cref="NetStackOptions.OverloadDemote"/>).</summary>
    public long RtDemotions => _realtime.Demotions;

    internal RealtimeThreads Realtime => _realtime;

    /// <summary>Whether every stack thread is pinned to its OS CPU.</summary>
    public bool Pinned { get; }

    public int CpuCount => _cpus.Length;

    /// <summary>The stack's <c>Softnet</c> meter; null when <see cref="NetStackOptions.Metrics"/> is off.</summary>
    public SoftnetMetrics? Metrics { get; }

    public IReadOnlyList<NetDevice> Devices
    {
        get
        {
            lock (_devices)
                return _devices.ToArray();
        }
    }

    internal PacketHandler Handler { get; }

    internal OverloadControl OverloadControl { get; }

    internal int[] DefaultRps { get; }

    internal static SoftnetData? CurrentBh
    {
        get => t_bh;
        set => t_bh = value;
    }

    public SoftnetData Cpu(int index) => _cpus[index];

    /// <summary>The calling thread's own CPU, or the one it runs on, before any stand-in for an offline CPU.</summary>
    private SoftnetData CurrentHome()
    {
        var home = t_home;
        if (home is not null && home.Stack == this)
            return home;
        int os = Platform.CurrentOsCpu();
        int cpu = (uint)os < (uint)_osCpuToCpu.Length ? _osCpuToCpu[os] : -1;
        return _cpus[cpu >= 0 ? cpu : os % _cpus.Length];
    }

    /// <summary>The CPU the calling thread counts as: its own for stack threads, otherwise the one it runs on.</summary>
    public SoftnetData CurrentSoftnet()
    {
        var bh = t_bh;
        if (bh is not null && bh.Stack == this)
            return bh;
        var home = t_home;
        if (home is not null && home.Stack == this)
            return home.StandIn ?? home;
        int os = Platform.CurrentOsCpu();
        int cpu = (uint)os < (uint)_osCpuToCpu.Length ? _osCpuToCpu[os] : -1;
        var mapped = _cpus[cpu >= 0 ? cpu : os % _cpus.Length];
        return mapped.StandIn ?? mapped;
    }

    /// <summary>netif_rx for one packet.</summary>
    public void NetifRx(Packet packet) => NetifRx(new ReadOnlySpan<Packet>(ref packet));

    /// <summary>
    /// netif_rx for a batch from a device that does not poll: each packet is steered by RPS (or stays on the
    /// caller's CPU) and queued to that CPU's backlog, or dropped and counted. Remote CPUs are kicked once per
    /// batch; work for the caller's own CPU is processed inline before this returns.
    /// </summary>
    public void NetifRx(ReadOnlySpan<Packet> batch)
    {
        // The caller's CPU as CurrentSoftnet sees it (self), and before any stand-in (home): packets that stay local
        // follow home's redirect at enqueue time, so a batch that straddles a CPU coming back does not leave its tail
        // on the stand-in behind the switch.
        SoftnetData self, home;
        if (t_bh is { } bh && bh.Stack == this)
        {
            self = home = bh;
        }
        else
        {
            home = CurrentHome();
            self = home.StandIn ?? home;
        }
        bool inSoftirq = t_bh == self;
        bool local = false;
        Span<bool> kick = Mode == KickMode.Softirq && !inSoftirq ? stackalloc bool[_cpus.Length] : default;
        bool anyKick = false;
        foreach (var p in batch)
        {
            var dev = p.Device;
            if (dev is not null && !dev.IsUp)
            {
                dev.CountRxDropped();
                self.CountDrop(DropReason.DeviceDown);
                FreeDropped(p);
                continue;
            }
            var rps = RpsTarget(p);
            var target = rps ?? self;
            if (!EnqueueToBacklog(p, rps ?? home, ref target, self, out bool schedule) || !schedule)
                continue;
            if (target == self)
            {
                // The enqueue listed the backlog with its claim; raising is left to the caller.
                local = true;
                if (inSoftirq)
                    self.Raise();
            }
            else if (Mode == KickMode.BacklogThreads)
            {
                WakeThreaded(target.Backlog, self);
            }
            else if (inSoftirq)
            {
                self.QueueIpi(target);
            }
            else
            {
                kick[target.Cpu] = true;
                anyKick = true;
            }
        }
        if (anyKick)
        {
            for (int i = 0; i < kick.Length; i++)
            {
                if (kick[i])
                {
                    Interlocked.Increment(ref self.IpiSent);
                    _cpus[i].PostRpsIpi();
                }
            }
        }
        // local_bh_enable: whatever softirq work is pending on the caller's CPU runs now, within the call.
        if (!inSoftirq && (local || self.HasPendingSoftirq))
            self.RunInline();
    }

    /// <summary>
    /// netif_receive_skb_list for a NAPI driver's poll (caller holds the CPU's bottom-half lock): packets RPS steers
    /// are queued to their CPU's backlog — the current CPU included — and the rest are delivered here, in one batch.
    /// </summary>
    public void ReceiveList(ReadOnlySpan<Packet> batch)
    {
        var self = t_bh is { } bh && bh.Stack == this
            ? bh
            : throw new InvalidOperationException("ReceiveList is for NAPI poll context");
        var direct = self.DirectBatch;
        int n = 0;
        foreach (var p in batch)
        {
            if (RpsTarget(p) is not { } rpsTarget)
            {
                direct[n++] = p;
                if (n == direct.Length)
                {
                    self.Deliver(direct);
                    n = 0;
                }
                continue;
            }
            var target = rpsTarget;
            if (!EnqueueToBacklog(p, rpsTarget, ref target, self, out bool schedule) || !schedule)
                continue;
            if (target == self)
                self.Raise();
            else if (Mode == KickMode.BacklogThreads)
                WakeThreaded(target.Backlog, self);
            else
                self.QueueIpi(target);
        }
        if (n > 0)
            self.Deliver(direct.AsSpan(0, n));
        direct.AsSpan(0, n).Clear();
    }

    /// <summary>
    /// enqueue_to_backlog: admission against netdev_max_backlog and flow limit, then the locked enqueue. The packet goes
    /// to <paramref name="home"/>'s backlog, or, while that CPU is offline, to the CPU that took its queue
    /// (<paramref name="target"/> is set to where it went).
    /// </summary>
    internal bool EnqueueToBacklog(Packet p, SoftnetData home, ref SoftnetData target, SoftnetData self, out bool schedule)
    {
        int max = Options.NetdevMaxBacklog;
        target = BacklogNapi.Follow(home);
        while (true)
        {
            schedule = false;
            int qlen = target.Backlog.InputLength;
            DropReason? reason;
            if (qlen > max)
            {
                reason = DropReason.Backlog;
            }
            else if (self.FlowLimit is { } fl && fl.ShouldDrop(p.FlowHash, qlen, max))
            {
                reason = DropReason.FlowLimit;
            }
            else
            {
                reason = target.Backlog.Enqueue(p, home, self, out schedule, out var redirect);
                if (redirect is not null)
                {
                    target = redirect;
                    continue;
                }
            }
            if (reason is null)
                return true;
            target.CountDrop(reason.Value);
            p.Device?.CountRxDropped();
            FreeDropped(p);
            return false;
        }
    }

    /// <summary>get_rps_cpu: the queue's rps map picks a CPU for a hashed packet; null leaves it where it is.</summary>
    internal SoftnetData? RpsTarget(Packet p)
    {
        if (p.FlowHash == 0 || p.Device is not { } dev)
            return null;
        var queues = dev.RxQueues;
        // A queue the device no longer has (channels shrinking) gets no steering, as the kernel does.
        if ((uint)p.QueueIndex >= (uint)queues.Count || queues[p.QueueIndex].Rps is not { } map)
            return null;
        // The CPU the map picks, even if offline: the enqueue follows its redirect under the queue lock.
        return _cpus[map.CpuFor(p.FlowHash)];
    }

    /// <summary>__napi_schedule for a NAPI whose SCHED the caller holds.</summary>
    internal void ScheduleClaimed(Napi napi)
    {
        var self = CurrentSoftnet();
        // A CPU's own backlog stays in its softirq even when threaded: the local path is processed inline.
        if (napi.Has(NapiState.Threaded) && napi.Thread is { } t && t != self.BacklogThread)
        {
#if SIMULATION
            if (PlantedBugs.ConditionalWakeup && t.Sleeping)
            {
                t.Wake(self);
                return;
            }
#endif
            napi.SetBits(NapiState.SchedThreaded);
            t.Wake(self);
            return;
        }
        self.ListAndRaise(napi);
    }

    /// <summary>The threaded schedule: set SCHED_THREADED, then wake unconditionally; the thread trusts only the bit.</summary>
    internal static void WakeThreaded(Napi napi, SoftnetData self)
    {
#if SIMULATION
        if (PlantedBugs.ConditionalWakeup && napi.Thread!.Sleeping)
        {
            napi.Thread.Wake(self);
            return;
        }
#endif
        napi.SetBits(NapiState.SchedThreaded);
        napi.Thread!.Wake(self);
    }

    /// <summary>Gets a CPU whose defer list reached its threshold to drain it: through its backlog NAPI with backlog threads, an IPI otherwise.</summary>
    internal void KickDefer(SoftnetData owner, SoftnetData self)
    {
        if (Mode == KickMode.BacklogThreads)
        {
            bool schedule = false;
            lock (owner.Backlog.QueueLock)
            {
                if (!owner.Backlog.Has(NapiState.Sched))
                {
                    owner.Backlog.SetBits(NapiState.Sched);
                    schedule = true;
                }
            }
            if (schedule)
                WakeThreaded(owner.Backlog, self);
        }
        else if (owner.PostDeferIpi())
        {
            Interlocked.Increment(ref self.IpiSent);
        }
    }

    internal void ArmWatchdog(Napi napi, long delayNs) => CurrentSoftnet().ArmTimer(napi, delayNs);

    internal static void CancelWatchdog(Napi napi) => napi.TimerCpu?.CancelTimer(napi);

    /// <summary>Frees a packet that was never queued; safe from any thread.</summary>
    internal static void FreeDropped(Packet p) => p.Owner.Return(new ReadOnlySpan<Packet>(ref p));

    internal IThreadHandle StartThread(string name, SoftnetData? home, Action body) =>
        Platform.StartThread(name, Options.Pin && home is not null ? home.OsCpu : -1, () =>
        {
            t_home = home;
            if (_realtime.ApplyToCurrentThread() is var errno and not 0)
                LogOnce($"{name}: sched_setscheduler SCHED_FIFO failed ({Interop.Errno.Describe(errno)}); the thread runs SCHED_OTHER");
            body();
        });

    internal int RegisterDevice(NetDevice device)
    {
        lock (_devices)
        {
            if (_devices.Any(d => d.Name == device.Name))
                throw new ArgumentException($"a device named '{device.Name}' exists already", nameof(device));
            _devices.Add(device);
            return _nextIfIndex++;
        }
    }

    internal void UnregisterDevice(NetDevice device)
    {
        lock (_devices)
            _devices.Remove(device);
    }

    /// <summary>The NAPI with this id on any device of the stack (netlink napi-get by id).</summary>
    public Napi? FindNapi(int id) => Devices.SelectMany(d => d.Napis).FirstOrDefault(n => n.Id == id);

    public NetDevice? FindDevice(string name) => Devices.FirstOrDefault(d => d.Name == name);

    internal int AllocateNapiId() => Interlocked.Increment(ref _nextNapiId) - 1;

    internal void ReportHandlerError(Exception e)
    {
        if (Options.OnHandlerError is { } cb)
            cb(e);
        else
            LogOnce($"handler threw {e.GetType().Name}: {e.Message} (counted as drop reason handler; further errors are counted only)");
    }

    internal void LogOnce(string message)
    {
        lock (_logged)
        {
            if (!_logged.Add(message))
                return;
        }
        Options.Log(message);
    }

    /// <summary>A consistent-enough copy of every counter (each is read atomically; the set is not a single instant).</summary>
    public SoftnetSnapshot Snapshot() => SoftnetSnapshot.Take(this);

    /// <summary>The <c>/proc/net/softnet_stat</c> text: one row of 15 hex columns per online CPU.</summary>
    public string SoftnetStat() => Diagnostics.SoftnetStat.Format(Snapshot());

    /// <summary>
    /// Stops the stack: devices stop admitting, the threads deliver what is queued (up to ShutdownDrainTimeout),
    /// every stack thread is stopped and joined, and anything still queued is counted as a shutdown drop.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var dev in Devices)
            dev.Dispose();
        long until = Platform.NowNs() + (long)Options.ShutdownDrainTimeout.TotalNanoseconds;
        for (int attempt = 0; Platform.NowNs() < until && _cpus.Any(c => c.Backlog.InputLength + c.Backlog.ProcessLength > 0); attempt++)
            Platform.Backoff(Math.Min(attempt, 25));
        foreach (var t in _backlogThreads)
            t.Stop();
        foreach (var cpu in _cpus)
            cpu.Stop();
        foreach (var cpu in _cpus)
            cpu.SoftirqThread!.Join(Timeout.InfiniteTimeSpan);
        foreach (var t in _backlogThreads)
            t.Handle.Join(Timeout.InfiniteTimeSpan);
        var scratch = new Packet[64];
        foreach (var cpu in _cpus)
        {
            lock (cpu.Bh)
            {
                cpu.Backlog.CloseAndDrain(scratch, batch =>
                {
                    cpu.CountDrop(DropReason.Shutdown, batch.Length);
                    foreach (var p in batch)
                        FreeDropped(p);
                });
            }
            cpu.SoftirqWaiter.Dispose();
        }
        Metrics?.Dispose();
    }
}
