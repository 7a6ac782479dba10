using Softnet.Core;
using Softnet.Overload;

namespace Softnet.Tests.Admin;

/// <summary>
/// One RX queue of <see cref="FakeQueueDevice"/> and its NAPI: an in-memory FIFO with an interrupt that fires once
/// and stays masked until the NAPI completes, as a NIC's does. Poll rents packets from the polling CPU's pool and
/// hands them to the stack with <see cref="NetStack.ReceiveList"/>.
/// </summary>
internal sealed class FakeQueue : Napi
{
    private readonly Lock _lock = new();
    private readonly Queue<(int Flow, long Seq)> _items = new();
    private readonly Packet[] _packets;
    private readonly (int Flow, long Seq)[] _taken;
    private bool _open = true;
    private int _irqArmed = 1;
    private int _fillReads;

    public FakeQueue(NetStack stack, int weight)
        : base(stack, weight)
    {
        _packets = new Packet[weight];
        _taken = new (int, long)[weight];
    }

    /// <summary>Queues one packet and raises the interrupt if unmasked; false once the queue is being removed.</summary>
    public bool TryEnqueue(int flow, long seq)
    {
        lock (_lock)
        {
            if (!_open)
                return false;
            _items.Enqueue((flow, seq));
        }
        Irq();
        return true;
    }

    /// <summary>Refuses further packets; what is queued still gets polled.</summary>
    public void Close()
    {
        lock (_lock)
            _open = false;
    }

    /// <summary>What the queue reports as its fill to the overload detector; none while null.</summary>
    public QueueFill? ReportedFill { get; set; }

    public bool IsEmpty
    {
        get
        {
            lock (_lock)
                return _items.Count == 0;
        }
    }

    internal override int Poll(in BottomHalf bh, int budget)
    {
        int n;
        lock (_lock)
        {
            n = Math.Min(budget, _items.Count);
            for (int i = 0; i < n; i++)
                _taken[i] = _items.Dequeue();
        }
        if (n > 0)
            Deliver(bh, n);
        // A masked interrupt is re-armed only when completion allows it; what arrived meanwhile then raises it at once.
        if (n < budget && CompleteDone(n))
        {
            Volatile.Write(ref _irqArmed, 1);
            if (!IsEmpty)
                Irq();
        }
        return n;
    }

    /// <summary>How many times the overload detector read the queue's fill.</summary>
    public int FillReads => Volatile.Read(ref _fillReads);

    protected internal override bool TryReadQueueFill(out QueueFill fill)
    {
        Interlocked.Increment(ref _fillReads);
        fill = ReportedFill ?? default;
        return ReportedFill is not null;
    }

    private void Deliver(in BottomHalf bh, int n)
    {
        var cpu = bh.Cpu;
        int got = cpu.Pool.Rent(_packets.AsSpan(0, n));
        cpu.Drop(DropReason.NoMemory, null, n - got);
        for (int i = 0; i < got; i++)
        {
            var p = _packets[i];
            p.Device = Device;
            p.QueueIndex = Index;
            FlowPacket.Write(p, _taken[i].Flow, _taken[i].Seq);
        }
        Stack.ReceiveList(bh, _packets.AsSpan(0, got));
        _packets.AsSpan(0, got).Clear();
    }

    private void Irq()
    {
        if (Interlocked.Exchange(ref _irqArmed, 0) == 1)
            Schedule();
    }
}
