using Softnet.Core;
using Softnet.Scheduling;

namespace Softnet.Devices.Udp;

/// <summary>
/// One RX queue of a <see cref="UdpDevice"/>: a SO_REUSEPORT socket and its NAPI. Readiness is the queue's interrupt:
/// it schedules the NAPI on the queue's CPU and stays masked until the NAPI completes. A poll reads up to its weight
/// with one recvmmsg into the packets posted in its RX ring and hands the batch up; a poll whose read ended on EAGAIN
/// unmasks without a syscall (edge-triggered readiness: a datagram arriving after that read raises an edge, which
/// the masked interrupt remembers, making that unmask an epoll_ctl that reports it, or which interrupts again after it).
/// </summary>
internal sealed partial class UdpQueue : Napi, IIrqHandler
{
    /// <summary>Paolo Abeni's signal: a backlog above 75% of netdev_max_backlog holds the queues feeding it back.</summary>
    private const double BackPressureFill = 0.75;

    /// <summary>How long a held-back queue stays masked before it is polled again (its NAPI watchdog).</summary>
    private const long HoldBackNs = 100_000;

    private readonly UdpDevice _device;
    private readonly bool _protected;
    private readonly RxRing _rx;
    private readonly Packet[] _packets;
    private readonly bool[] _truncated;
    private readonly long[] _drops;
    private readonly Lock _discardLock = new();
    private uint _reportedDrops;
    private long _heldBack;

    /// <param name="device">The device the queue belongs to.</param>
    /// <param name="socket">The socket the queue reads.</param>
    /// <param name="queue">The RX queue number; <see cref="ProtectedQueue"/> for the device's protected queue.</param>
    /// <param name="weight">The NAPI weight: the most datagrams one poll handles.</param>
    public UdpQueue(UdpDevice device, UdpSocket socket, int queue, int weight)
        : base(device.Stack, weight)
    {
        _device = device;
        _protected = queue == ProtectedQueue;
        Queue = queue;
        Socket = socket;
        _rx = new RxRing(weight);
        _packets = new Packet[weight];
        _truncated = new bool[weight];
        _drops = new long[weight];
        _ring = device.OpenRing(socket, queue, weight);
    }

    /// <summary>The queue number of a protected queue: no RX queue slot, so no RPS and no channel changes.</summary>
    public const int ProtectedQueue = -1;

    public UdpSocket Socket { get; }

    internal override bool Protected => _protected;

    internal override bool Budgeted => !_protected && _device.Policy == Softnet.Overload.OverloadMode.Auto;

    /// <summary>Polls that read nothing because a backlog this queue feeds through RPS was over 75% full.</summary>
    public long HeldBack => Volatile.Read(ref _heldBack);

    /// <summary>The RX queue number (also the NAPI config slot).</summary>
    public int Queue { get; }

    /// <summary>Datagrams the kernel dropped at this socket (SO_RXQ_OVFL, reconciled with /proc at close).</summary>
    public long SocketDrops => _reportedDrops;

    /// <summary>The device is down: what the socket receives is read and counted as device_down, not passed up.</summary>
    public bool Down { get; private set; }

    public void OnIrq()
    {
        if (Down)
            DiscardPending();
        else
            Schedule();
    }

    protected internal override bool TryReadQueueFill(out Overload.QueueFill fill)
    {
        // Once per detector period (and after full polls): the kernel's shed count follows it.
        _device.SettleShed();
        return Socket.TryReadMemInfo(out fill);
    }

    protected internal override void OnOverloadStateChanged() => _device.UpdateShedding();

    public void RegisterIrq(SoftnetData cpu)
    {
        StartRing(cpu);
        RegisterIrq(cpu, IrqFd, this);
    }

    internal override void UnregisterIrq()
    {
        base.UnregisterIrq();
        // A discard the interrupt already started may still be reading: once it is done, the caller is the one reader.
        lock (_discardLock)
        {
        }
    }

    /// <summary>The device went down: from now on the interrupt on <paramref name="cpu"/> reads and counts (device_down).</summary>
    public void EnterDown(SoftnetData cpu)
    {
        Down = true;
        RegisterIrq(cpu);
    }

    /// <summary>The device comes up: the discarding interrupt is gone and no discard is still reading when this returns.</summary>
    public void LeaveDown()
    {
        UnregisterIrq();
        Down = false;
    }

    internal override int Poll(in BottomHalf bh, int budget) => _ring is { } ring ? PollRing(bh, ring, budget) : PollSocket(bh, budget);

    /// <summary>
    /// One read of up to <paramref name="budget"/> datagrams from the RX ring's posted slots; the slots it consumed
    /// are posted again with fresh packets before the next read.
    /// </summary>
    private int PollSocket(in BottomHalf bh, int budget)
    {
        var cpu = bh.Cpu;
        if (BackPressured())
            return HoldBack();
        _rx.Refill(cpu.Pool);
        int n = _rx.Receive(Socket.Fd, Math.Min(budget, _packets.Length));
        if (n < 0)
        {
            Stack.LogOnce($"{_device.Name} queue {Index}: recvmmsg failed: {Interop.Errno.Describe(-n)}");
            n = 0;
        }
        for (int i = 0; i < n; i++)
            _packets[i] = _rx.Take(i, out _truncated[i]);
        if (_rx.TryReadDropCounter(out uint drops))
            CountSocketDrops(cpu, drops);
        _rx.Consume();
        return PassUp(bh, Fill(cpu, n, perPacketDrops: false), n, n, budget, _rx.Drained);
    }

    /// <summary>
    /// Hands the first <paramref name="valid"/> of <paramref name="got"/> packets up, returns the rest to the pool,
    /// and completes the poll (unmasking the interrupt) when it read less than <paramref name="budget"/>.
    /// <paramref name="drained"/>: the read ended on EAGAIN, so the unmask may skip the epoll_ctl (edge-triggered readiness).
    /// </summary>
    private int PassUp(in BottomHalf bh, int valid, int got, int n, int budget, bool drained)
    {
        var cpu = bh.Cpu;
        if (Down && valid > 0)
        {
            // Freed below with the unused buffers.
            cpu.Drop(DropReason.DeviceDown, _device, valid);
            valid = 0;
        }
        // Ring packets may come from another CPU's pool (the interrupt moved): each goes back to its own.
        cpu.Free(_packets.AsSpan(valid, got - valid));
        Stack.ReceiveList(bh, _packets.AsSpan(0, valid));
        _packets.AsSpan(0, got).Clear();
        if (n < budget)
        {
            // The poll is about to complete: replies its handler queued on this CPU leave now, before the interrupt
            // is unmasked, so a request-response round trip does not wait for the re-arm. Full polls keep their
            // replies for the CPU's TX flush, batched with the other queues'.
            _device.FlushTx(cpu, _ring is null ? null : this);
            if (CompleteDone(n))
                RearmIrq(drained);
        }
        return n;
    }

    /// <summary>
    /// Whether a backlog this queue's packets go to through RPS is above 75% of netdev_max_backlog (or too full for one
    /// more round of the queue's weight): then the queue is
    /// not read this round (policy auto, unprotected queues only), and the datagrams wait in its socket buffer, where
    /// the kernel drops and counts what does not fit, instead of being read only to be dropped at the backlog.
    /// </summary>
    private bool BackPressured()
    {
        // A held NAPI is being drained (channels, down, close): it must read until empty.
        if (_protected || Down || Has(NapiState.Npsvc) || _device.Policy != Softnet.Overload.OverloadMode.Auto)
            return false;
        var queues = _device.RxQueues;
        if ((uint)Queue >= (uint)queues.Count || queues[Queue].Rps is not { } map)
            return false;
        // A round's whole weight must fit as well, or a small backlog would still overflow by one read.
        int max = Stack.Options.NetdevMaxBacklog;
        double limit = Math.Min(max * BackPressureFill, max - Weight);
        foreach (int c in map.Cpus)
        {
            if (Stack.Cpu(c).Backlog.InputLength > limit)
                return true;
        }
        return false;
    }

    /// <summary>Gives the NAPI up without reading and without unmasking; its watchdog polls it again shortly.</summary>
    private int HoldBack()
    {
        Interlocked.Increment(ref _heldBack);
        CompleteDone(0);
        Stack.ArmWatchdog(this, HoldBackNs);
        return 0;
    }

    /// <summary>
    /// The down queue's interrupt, on its CPU's softirq thread: read the socket empty in NAPI context (the NAPI is
    /// deleted, so no one else polls it; its completion is a no-op), counting every datagram, then unmask.
    /// </summary>
    private void DiscardPending()
    {
        lock (_discardLock)
        {
            // Unregistered meanwhile (up, or close, which drains the socket itself): nothing to discard.
            if (IrqCpu is not { } cpu || !Down)
                return;
            using (var bh = cpu.EnterBh())
            {
                while (Poll(bh, Weight) == Weight)
                {
                }
            }
            RearmIrq();
        }
    }

    /// <summary>
    /// Checks the first <paramref name="n"/> received packets (payload, length and source in place): truncated
    /// datagrams are dropped as malformed, the early-drop filter runs, and with <paramref name="perPacketDrops"/>
    /// each packet's socket drop counter is counted (the caller counted the read's last one otherwise). Returns the
    /// good ones, packed at the front.
    /// </summary>
    private int Fill(SoftnetData cpu, int n, bool perPacketDrops = true)
    {
        long now = Stack.Platform.NowNs();
        var local = Socket.LocalSockaddrBytes;
        // A protected queue's datagrams are kept: the application's early drop is for the flood.
        var earlyDrop = _protected ? null : _device.EarlyDrop;
        var state = OverloadState;
        int valid = 0;
        for (int i = 0; i < n; i++)
        {
            var p = _packets[i];
            if (perPacketDrops && _drops[i] >= 0)
                CountSocketDrops(cpu, (uint)_drops[i]);
            if (_truncated[i])
            {
                cpu.Drop(DropReason.Malformed, _device, 1);
                // Left behind the good packets, it goes back to the pool with the unused ones.
                continue;
            }
            if (earlyDrop is not null && EarlyDropped(earlyDrop, p.SourceAddress, p.Data, state))
            {
                cpu.Drop(DropReason.EarlyDrop, _device, 1);
                continue;
            }
            Stamp(p, local, now);
            if (valid != i)
                (_packets[valid], _packets[i]) = (p, _packets[valid]);
            valid++;
        }
        return valid;
    }

    /// <summary>The receive-side fields of a packet that passed; its source address is already in place.</summary>
    private void Stamp(Packet p, byte[] local, long now)
    {
        p.SetFlowKeys(local);
        p.Device = _device;
        p.QueueIndex = Queue;
        p.NapiId = Id;
        p.TimestampNs = now;
    }

    private bool EarlyDropped(Overload.EarlyDropFilter filter, ReadOnlySpan<byte> source, ReadOnlySpan<byte> payload, Overload.OverloadState state)
    {
        try
        {
            return filter(source, payload, state);
        }
        catch (Exception e)
        {
            Stack.LogOnce($"{_device.Name}: the early-drop filter threw {e.GetType().Name}: {e.Message}; such datagrams are kept");
            return false;
        }
    }

    /// <summary>SO_RXQ_OVFL carries the socket's cumulative drop count; the growth since the last report is new socket drops.</summary>
    internal void CountSocketDrops(SoftnetData cpu, uint cumulative)
    {
        uint delta = cumulative - _reportedDrops;
        if (delta == 0 || delta > int.MaxValue)
            return;
        _reportedDrops = cumulative;
        cpu.Drop(DropReason.Socket, _device, delta);
    }

    public void DisposeBatch()
    {
        _rx.Dispose();
        DisposeRing();
    }
}
