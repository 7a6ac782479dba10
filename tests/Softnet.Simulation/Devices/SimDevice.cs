using Softnet.Core;
using Softnet.Simulation.Checks;
using Softnet.Simulation.Platform;

namespace Softnet.Simulation.Devices;

/// <summary>
/// An in-memory multi-queue device: a flow always lands on queue <c>flow % channels</c>, each queue's interrupt goes
/// through the platform to its affine CPU's softirq thread (queue i on CPU i mod N, following hotplug as the UDP device
/// does), and <see cref="SetChannels"/> deletes and re-adds NAPIs like a driver's ethtool -L without losing a packet.
/// </summary>
internal sealed class SimDevice : NetDevice
{
    private readonly SimPlatform _platform;
    private readonly Invariants _invariants;
    private readonly int _weight;
    private SimQueue[] _queues = [];

    public SimDevice(NetStack stack, SimPlatform platform, Invariants invariants, string name, int channels, int maxChannels, int weight)
        : base(stack, name, channels, maxChannels)
    {
        _platform = platform;
        _invariants = invariants;
        _weight = weight;
        lock (Control)
        {
            for (int i = 0; i < channels; i++)
                StartQueue(i);
            SetUp(true);
        }
    }

    public IReadOnlyList<SimQueue> Queues => Volatile.Read(ref _queues);

    /// <summary>Queues one packet of <paramref name="flow"/>; a flow whose queue is being removed moves to a remaining one.</summary>
    public bool Send(int flow, long seq)
    {
        while (true)
        {
            var queues = Volatile.Read(ref _queues);
            if (queues.Length == 0)
                return false;
            if (queues[flow % queues.Length].TryEnqueue(flow, seq))
                return true;
            Thread.Yield();
        }
    }

    public override void SetChannels(int rx)
    {
        NetStackOptions.Range("rx", rx, 1, MaxChannels);
        lock (Control)
        {
            var queues = _queues;
            if (rx > queues.Length)
            {
                ResizeRxQueues(rx);
                for (int i = queues.Length; i < rx; i++)
                    StartQueue(i);
                return;
            }
            Volatile.Write(ref _queues, queues[..rx]);
            for (int i = queues.Length - 1; i >= rx; i--)
                StopQueue(queues[i]);
            ResizeRxQueues(rx);
        }
    }

    internal override IReadOnlyList<Napi> IrqQueues => _queues;

    protected override void Close()
    {
        lock (Control)
        {
            var queues = _queues;
            Volatile.Write(ref _queues, []);
            for (int i = queues.Length - 1; i >= 0; i--)
                StopQueue(queues[i]);
        }
    }

    private void StartQueue(int index)
    {
        var q = new SimQueue(this, _platform, index, _weight);
        int? parked = NapiConfigs[index].ParkedThread?.Handle.OsThreadId;
        NapiAdd(q, index);
        NapiEnable(q);
        // napi_add reuses the thread parked in the slot: the queue keeps its thread (and its pid) across del/add.
        if (parked is { } pid && q.Threaded != ThreadedMode.Disabled && q.ThreadId != pid)
            _invariants.Fail("thread-reuse", $"queue {index} came back with thread {q.ThreadId?.ToString() ?? "none"}, not its parked thread {pid}");
        Volatile.Write(ref _queues, [.. _queues, q]);
        q.RegisterIrq(AffineCpu(index));
    }

    /// <summary>Masks the queue, refuses new packets, holds its NAPI, delivers what it still holds, deletes the NAPI.</summary>
    private void StopQueue(SimQueue q)
    {
        q.UnregisterIrq();
        q.Close();
        NapiDisable(q);
        using (var bh = AffineCpu(q.Queue).EnterBh())
        {
            while (!q.IsEmpty)
                q.PollRound(bh, out _);
        }
        NapiDelete(q);
    }
}
