using Softnet.Core;
using Softnet.Scheduling;
using Softnet.Simulation.Platform;

namespace Softnet.Simulation.Devices;

/// <summary>
/// One RX queue of <see cref="SimDevice"/> and its NAPI: an in-memory FIFO whose readiness is an interrupt source of
/// the simulated platform, registered on a CPU's softirq wait exactly as a UDP queue's socket is on epoll. The
/// interrupt fires once and stays masked until the NAPI completes and the driver re-arms it, telling the waiter when
/// its last read emptied the queue (the UDP queue's read ending on EAGAIN).
/// </summary>
internal sealed class SimQueue : Napi, IIrqHandler
{
    private readonly SimDevice _device;
    private readonly SimPlatform _platform;
    private readonly Lock _lock = new();
    private readonly Queue<(int Flow, long Seq)> _items = new();
    private readonly Packet[] _packets;
    private readonly (int Flow, long Seq)[] _taken;
    private int _count;
    private bool _open = true;

    public SimQueue(SimDevice device, SimPlatform platform, int queue, int weight)
        : base(device.Stack, weight)
    {
        _device = device;
        _platform = platform;
        Queue = queue;
        _packets = new Packet[weight];
        _taken = new (int, long)[weight];
        Fd = platform.CreateIrqSource(() => _count > 0);
    }

    public int Queue { get; }

    /// <summary>The interrupt source ("descriptor") of this queue.</summary>
    public int Fd { get; }

    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    /// <summary>Polls that throw; the fault decides where.</summary>
    public PollFault Fault { get; set; }

    /// <summary>Queues a packet and raises the interrupt; false once the queue is being removed.</summary>
    public bool TryEnqueue(int flow, long seq)
    {
        lock (_lock)
        {
            if (!_open)
                return false;
            _items.Enqueue((flow, seq));
            _count++;
        }
        _platform.Signal(Fd);
        return true;
    }

    public void Close()
    {
        lock (_lock)
            _open = false;
    }

    public void OnIrq() => Schedule();

    public void RegisterIrq(SoftnetData cpu) => RegisterIrq(cpu, Fd, this);

    internal override int Poll(in BottomHalf bh, int budget)
    {
        if (Fault == PollFault.BeforeWork)
        {
            Fault = PollFault.None;
            // A driver that unmasks its interrupt on the error path, so the queue is not left masked for good.
            RearmIrq();
            throw new InvalidOperationException("simulated driver fault before any work");
        }
        int n;
        lock (_lock)
        {
            n = Math.Min(budget, _items.Count);
            for (int i = 0; i < n; i++)
                _taken[i] = _items.Dequeue();
            _count -= n;
        }
        if (n > 0)
            Deliver(bh, n);
        // Fewer than the budget: the queue was empty when it was read, as a socket read ending on EAGAIN.
        if (n < budget && CompleteDone(n))
            RearmIrq(drained: true);
        if (Fault == PollFault.AfterComplete && n < budget)
        {
            Fault = PollFault.None;
            throw new InvalidOperationException("simulated driver fault after completing");
        }
        return n;
    }

    private void Deliver(in BottomHalf bh, int n)
    {
        var cpu = bh.Cpu;
        int got = cpu.Pool.Rent(_packets.AsSpan(0, n));
        cpu.Drop(DropReason.NoMemory, _device, n - got);
        for (int i = 0; i < got; i++)
        {
            var p = _packets[i];
            p.Device = _device;
            p.QueueIndex = Index;
            FlowPacket.Write(p, _taken[i].Flow, _taken[i].Seq);
        }
        Stack.ReceiveList(bh, _packets.AsSpan(0, got));
        _packets.AsSpan(0, got).Clear();
    }
}

/// <summary>Where a faulty driver poll throws.</summary>
internal enum PollFault
{
    None,

    /// <summary>At the start, before taking anything (the driver re-arms its interrupt first).</summary>
    BeforeWork,

    /// <summary>After a poll that completed the NAPI and re-armed the interrupt.</summary>
    AfterComplete,
}
