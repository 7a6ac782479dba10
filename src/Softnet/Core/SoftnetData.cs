using System.Runtime.CompilerServices;
using Softnet.Diagnostics;
using Softnet.Overload;
using Softnet.Scheduling;
using Softnet.Steering;

namespace Softnet.Core;

/// <summary>
/// One CPU's softnet_data: its poll list, backlog NAPI, packet pool and deferred-free list, its counters, and its
/// softirq thread (<see cref="Ksoftirqd"/>). Everything that polls on behalf of this CPU holds <see cref="Bh"/>, the
/// per-CPU bottom-half lock, so there is one poller per CPU at a time however many threads map to it. Its seams have
/// a file each: the softirq thread (Ksoftirqd), NET_RX raised and run (SoftnetData.Softirq), the poll list (.PollList),
/// net_rx_action (.NetRxAction), the IPI handler (.Ipi; the outbox is IpiOutbox), the watchdogs (NapiWatchdogs), the
/// counters (CpuCounters) and the drop ledger (.Drops). Services see a CPU through <see cref="CpuView"/>.
/// </summary>
internal sealed partial class SoftnetData
{
    private SoftnetData? _redirect;
    private SoftnetData? _standIn;

    /// <summary>This CPU's softnet_stat counters and drop reasons.</summary>
    internal CpuCounters Counters = new();

    internal DeliveryLatency Latency { get; } = new();

    internal SoftnetData(NetStack stack, int cpu, int osCpu)
    {
        var o = stack.Options;
        Stack = stack;
        Cpu = cpu;
        OsCpu = osCpu;
        Pool = new PacketPool(cpu, o.PacketBufferSize, o.PacketPoolSize, o.PacketPoolLimit, o.SkbDeferMax);
        Backlog = new BacklogNapi(this, o.NetdevMaxBacklog, o.DevWeight);
        _localFree = new Packet[Math.Max(o.DevWeight, 64)];
        _deferChains = new DeferChains(o.Cpus);
        DirectBatch = new Packet[Math.Max(o.DevWeight, 64)];
        Ipis = new IpiOutbox(o.Cpus);
        Watchdogs = new NapiWatchdogs(this);
        if (CpuMask.Parse(o.FlowLimit, o.Cpus, nameof(o.FlowLimit)).Contains(cpu))
            FlowLimit = new FlowLimitTable(o.FlowLimitTableLen);
        Ksoftirqd = new Ksoftirqd(this, stack.Platform.CreateSoftirqWaiter());
        CpuOverload = new CpuOverload(this, stack.OverloadControl, o.NetdevMaxBacklog, stack.Platform.NowNs());
    }

    /// <summary>The stack this CPU belongs to.</summary>
    public NetStack Stack { get; }

    /// <summary>The logical CPU index (softnet_stat's CPU column).</summary>
    public int Cpu { get; }

    /// <summary>The OS CPU this CPU's threads are pinned to.</summary>
    public int OsCpu { get; }

    /// <summary>Whether the CPU is online; an offline CPU's backlog packets go to a stand-in CPU.</summary>
    public bool Online { get; internal set; } = true;

    /// <summary>While set (the CPU is offline), packets for this CPU's backlog go to that CPU instead.</summary>
    internal SoftnetData? Redirect
    {
        get => Volatile.Read(ref _redirect);
        set => Volatile.Write(ref _redirect, value);
    }

    /// <summary>While set, threads running on this CPU's OS CPU count as that CPU: this one is parked.</summary>
    internal SoftnetData? StandIn
    {
        get => Volatile.Read(ref _standIn);
        set => Volatile.Write(ref _standIn, value);
    }

    /// <summary>The bottom-half lock: held by whoever runs this CPU's softirq or polls on its behalf (inside a <see cref="BottomHalf"/>).</summary>
    internal Lock Bh { get; } = new();

    /// <summary>local_bh_disable for this CPU: waits for its bottom-half lock; leaving runs the poll epilogue.</summary>
    internal BottomHalf EnterBh() => BottomHalf.Enter(this);

    /// <summary>
    /// The one poll epilogue: deferred frees, then the RPS IPIs the polls queued (net_rps_action_and_irq_enable), then
    /// the TX flushes they asked for (NET_TX after NET_RX). Run when a <see cref="BottomHalf"/> is left and at the end
    /// of every net_rx_action pass, so usually with nothing left to do: each part is one inlined check until it has work.
    /// Caller holds <see cref="Bh"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void PollEpilogue()
    {
        if (Pool.HasDeferred)
            Pool.FlushDefer();
        if (!Ipis.IsEmpty)
            Ipis.Send(this);
        RunTxFlush();
    }

    internal BacklogNapi Backlog { get; }

    /// <summary>The RPS IPIs this CPU's passes queue (rps_ipi_list); used under <see cref="Bh"/>.</summary>
    internal IpiOutbox Ipis { get; }

    /// <summary>The NAPI watchdogs pinned to this CPU.</summary>
    internal NapiWatchdogs Watchdogs { get; }

    /// <summary>Scratch for packets a driver's poll delivers without RPS; used under <see cref="Bh"/>.</summary>
    internal Packet[] DirectBatch { get; }

    internal PacketPool Pool { get; }

    internal FlowLimitTable? FlowLimit { get; }

    /// <summary>This CPU's overload detector and CPU budget.</summary>
    internal CpuOverload CpuOverload { get; }

    /// <summary>
    /// Protected queues whose interrupt this CPU takes: while there is one, a budgeted poll here reads only a short
    /// run of datagrams (<see cref="Overload.CpuBudget.ProtectedWaitNs"/>), since a protected datagram waits for the poll running
    /// when it arrives.
    /// </summary>
    internal int ProtectedQueues;

    /// <summary>This CPU's overload state, transitions, time in each state, signals and CPU share, as of the detector's last evaluation.</summary>
    internal OverloadInfo Overload => CpuOverload.Info();

    /// <summary>This CPU's softirq thread.</summary>
    internal Ksoftirqd Ksoftirqd { get; }

    internal NapiThread? BacklogThread { get; set; }


    internal bool InNetRxAction { get; private set; }
}
