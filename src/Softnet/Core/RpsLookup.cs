using Softnet.Steering;

namespace Softnet.Core;

/// <summary>
/// get_rps_cpu over a batch: the queue's map is looked up once per run of packets from one device and queue (a NAPI's
/// whole batch), and a map with one CPU answers without the flow hash, so only a map that spreads flows over several
/// CPUs computes it (skb_get_hash).
/// </summary>
internal struct RpsLookup()
{
    private NetDevice? _device;
    private int _queue = -1;
    private RpsMap? _map;
    private int _single = -1;

    /// <summary>The CPU the queue's map picks for <paramref name="p"/>, even if offline (the enqueue follows its redirect); -1 leaves it where it is.</summary>
    public int CpuFor(Packet p)
    {
        if (p.Device != _device || p.QueueIndex != _queue)
            Load(p.Device, p.QueueIndex);
        if (_map is null || !p.HasFlowHash)
            return -1;
        return _single >= 0 ? _single : _map.CpuFor(p.FlowHash);
    }

    /// <summary>Whether <paramref name="p"/>'s queue has an RPS map, so its packets may be steered.</summary>
    public bool Steers(Packet p)
    {
        if (p.Device != _device || p.QueueIndex != _queue)
            Load(p.Device, p.QueueIndex);
        return _map is not null;
    }

    private void Load(NetDevice? device, int queue)
    {
        _device = device;
        _queue = queue;
        _map = null;
        _single = -1;
        if (device is null)
            return;
        var queues = device.RxQueues;
        // A queue the device no longer has (channels shrinking) gets no steering, as the kernel does.
        if ((uint)queue >= (uint)queues.Count || queues[queue].Rps is not { } map)
            return;
        _map = map;
        if (map.Cpus.Count == 1)
            _single = map.Cpus[0];
    }
}
