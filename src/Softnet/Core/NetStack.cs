using Microsoft.Extensions.Logging;
using Softnet.Diagnostics;
using Softnet.Interop;
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
    private static SoftnetData? t_home;

    private readonly SoftnetData[] _cpus;
    private readonly int[] _osCpuToCpu;
    private readonly List<NetDevice> _devices = [];
    private readonly HashSet<string> _logged = [];
    private readonly ILogger _logger;
    private readonly List<NapiThread> _backlogThreads = [];
    private readonly RealtimeThreads _realtime;
    private readonly Housekeeping? _housekeeping;
    private int _nextIfIndex = 1;
    private int _nextNapiId = FirstNapiId;
    private int _disposed;

    /// <summary>Creates a stack with <paramref name="options"/> (validated first) that delivers every packet to <paramref name="handler"/>, starting its per-CPU threads.</summary>
    public NetStack(NetStackOptions options, PacketHandler handler)
    {
        options.Validate();
        PacketPathBinding.Bind();
        Options = options;
        _logger = options.LoggerFactory.CreateLogger("Softnet");
        Platform = options.Platform;
        Handler = handler;
        _realtime = RealtimeThreads.Start(Platform, options.RtPriority, options.RtPriorityFallback, options.OverloadDemote, options.SchedSlice, LogOnce);
        OverloadControl = new OverloadControl(this);
        var allowed = Platform.AllowedOsCpus();
        if (options.HousekeepingCpus is { } housekeeping)
        {
            _housekeeping = Housekeeping.Start(housekeeping, allowed, nameof(options.HousekeepingCpus));
            allowed = _housekeeping.PacketCpus;
        }
        _cpus = new SoftnetData[options.Cpus];
        for (int i = 0; i < _cpus.Length; i++)
            _cpus[i] = new SoftnetData(this, i, allowed[i % allowed.Count]);
        var pools = Array.ConvertAll(_cpus, c => c.Pool);
        foreach (var pool in pools)
            pool.ShareWith(pools);
        Cpus = Array.AsReadOnly(Array.ConvertAll(_cpus, c => new CpuView(c)));
        _osCpuToCpu = new int[allowed.Max() + 1];
        Array.Fill(_osCpuToCpu, -1);
        for (int i = allowed.Count - 1; i >= 0; i--)
            _osCpuToCpu[allowed[i]] = i % _cpus.Length;
        DefaultRps = CpuMask.Parse(options.RpsCpus, options.Cpus, nameof(options.RpsCpus));
        Metrics = options.Metrics ? new SoftnetMetrics(this, options.MeterFactory) : null;
        foreach (var cpu in _cpus)
        {
            cpu.Backlog.Enable();
            cpu.Ksoftirqd.Start();
            if (options.Mode == KickMode.BacklogThreads)
            {
                var home = cpu;
                var t = new NapiThread(Platform, loop => StartThread($"backlog_napi/{home.Cpu}", home, loop)) { Napi = cpu.Backlog };
                cpu.BacklogThread = t;
                cpu.Backlog.Thread = t;
                cpu.Backlog.SetBits(NapiState.Threaded);
                _backlogThreads.Add(t);
            }
        }
        Pinned = Options.Pin && _cpus.All(c => c.Ksoftirqd.Handle!.Pinned) && _backlogThreads.All(t => t.Handle.Pinned);
        if (Options.Pin && !Pinned)
            LogOnce("sched_setaffinity refused: the stack's threads run unpinned");
    }

    /// <summary>The options the stack was created with.</summary>
    public NetStackOptions Options { get; }

    /// <summary>The platform the stack's threads, waits and clock run on.</summary>
    public IPlatform Platform { get; }

    /// <summary>How packets are kicked to a CPU: softirq threads or backlog threads.</summary>
    public KickMode Mode => Options.Mode;

    /// <summary>The policy the stack's packet threads run under: SCHED_FIFO at <see cref="NetStackOptions.RtPriority"/> when granted, else SCHED_OTHER.</summary>
    public ThreadPolicy PacketThreadPolicy => _realtime.Wanted;

    /// <summary>Times a SCHED_FIFO packet thread demoted itself to SCHED_OTHER while its CPU was overloaded (<see cref="NetStackOptions.OverloadDemote"/>).</summary>
    public long RtDemotions => _realtime.Demotions;

    internal RealtimeThreads Realtime => _realtime;

    /// <summary>Whether every stack thread is pinned to its OS CPU.</summary>
    public bool Pinned { get; }

    /// <summary>The number of the stack's logical CPUs (softnet_data instances).</summary>
    public int CpuCount => _cpus.Length;

    /// <summary>The stack's <c>Softnet</c> meter; null when <see cref="NetStackOptions.Metrics"/> is off.</summary>
    public SoftnetMetrics? Metrics { get; }

    /// <summary>The devices registered with the stack, in registration order.</summary>
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

    /// <summary>The stack's logical CPUs, read-only, by index.</summary>
    public IReadOnlyList<CpuView> Cpus { get; }

    /// <summary>The per-CPU state (softnet_data) of logical CPU <paramref name="index"/>.</summary>
    internal SoftnetData Cpu(int index) => _cpus[index];

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
    internal SoftnetData CurrentSoftnet()
    {
        var bh = BottomHalf.Current;
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

    internal void ArmWatchdog(Napi napi, long delayNs) => CurrentSoftnet().Watchdogs.Arm(napi, delayNs);

    internal static void CancelWatchdog(Napi napi) => napi.TimerCpu?.Watchdogs.Cancel(napi);

    /// <summary>Frees a packet that was never queued; safe from any thread.</summary>
    internal static void FreeDropped(Packet p) => p.Owner.Return(new ReadOnlySpan<Packet>(ref p));

    internal IThreadHandle StartThread(string name, SoftnetData? home, Action body)
    {
        int osCpu = Options.Pin && home is not null ? home.OsCpu : -1;
        // The thread's one-time setup is over when this returns: what it allocates is not charged to the packets.
        return Platform.StartThread(
            name,
            osCpu,
            () =>
            {
                t_home = home;
                _housekeeping?.EnterPacketThread(osCpu);
                BottomHalf.PrepareThread();
                if (_realtime.ApplyToCurrentThread() is var errno and not 0)
                    LogOnce($"{name}: setting the packet threads' policy ({_realtime.Wanted}{(Options.SchedSlice is { } slice ? $", slice {slice.TotalMicroseconds} µs" : "")}) failed ({Interop.Errno.Describe(errno)}); the thread runs SCHED_OTHER with the default slice");
            },
            () =>
            {
                try
                {
                    body();
                }
                finally
                {
                    if (_housekeeping is not null)
                        Housekeeping.LeavePacketThread();
                }
            });
    }

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

    /// <summary>The device named <paramref name="name"/>; null when there is none.</summary>
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
        Log(message);
    }

    /// <summary>An operational message: to <see cref="NetStackOptions.Log"/> when set, else to the <c>Softnet</c> logger.</summary>
    internal void Log(string message)
    {
        if (Options.Log is { } sink)
            sink(message);
        else
            StackLog.Message(_logger, message);
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
            cpu.Ksoftirqd.Stop();
        foreach (var cpu in _cpus)
            cpu.Ksoftirqd.Handle!.Join(Timeout.InfiniteTimeSpan);
        foreach (var t in _backlogThreads)
            t.Handle.Join(Timeout.InfiniteTimeSpan);
        var scratch = new Packet[64];
        foreach (var cpu in _cpus)
        {
            lock (cpu.Bh)
            {
                cpu.Backlog.CloseAndDrain(scratch, batch => cpu.Drop(DropReason.Shutdown, null, batch));
            }
            cpu.Ksoftirqd.Waiter.Dispose();
        }
        Metrics?.Dispose();
        _housekeeping?.Dispose();
    }
}
