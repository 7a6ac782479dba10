using Softnet.Core;
using Softnet.Simulation.Devices;

namespace Softnet.Simulation.Checks;

/// <summary>
/// The application's handler: checks per-flow order as packets arrive, counts deliveries per device and per CPU, and
/// throws for batches that hold a packet the scenario marked (a handler fault), before looking at any of them.
/// </summary>
internal sealed class Recorder(Invariants invariants, int flows, int cpus, int throwEvery)
{
    private readonly long[] _last = Enumerable.Repeat(-1L, flows).ToArray();
    private readonly long[] _onCpu = new long[cpus];
    private readonly Dictionary<NetDevice, long> _byDevice = [];
    private readonly Dictionary<NetDevice, long> _thrownByDevice = [];

    public long Delivered { get; private set; }

    /// <summary>Whether reordering is a violation (off when the scenario moves flows between queues on purpose).</summary>
    public bool CheckOrder { get; set; } = true;

    public long OnCpu(int cpu) => _onCpu[cpu];

    public long DeliveredFrom(NetDevice device) => _byDevice.GetValueOrDefault(device);

    public long ThrownFrom(NetDevice device) => _thrownByDevice.GetValueOrDefault(device);

    public void Handle(ReadOnlySpan<Packet> batch, int cpu)
    {
        if (throwEvery > 0)
        {
            foreach (var p in batch)
            {
                if (FlowPacket.Read(p).Seq % throwEvery == throwEvery - 1)
                {
                    foreach (var q in batch)
                    {
                        if (q.Device is { } d)
                            _thrownByDevice[d] = _thrownByDevice.GetValueOrDefault(d) + 1;
                    }
                    throw new InvalidOperationException("simulated handler fault");
                }
            }
        }
        foreach (var p in batch)
        {
            var (flow, seq) = FlowPacket.Read(p);
            invariants.Mix(7, flow, seq);
            if (CheckOrder && seq <= _last[flow])
                invariants.Fail("flow-order", $"flow {flow}: packet {seq} delivered on CPU {cpu} after packet {_last[flow]}");
            _last[flow] = Math.Max(_last[flow], seq);
            if (p.Device is { } dev)
                _byDevice[dev] = _byDevice.GetValueOrDefault(dev) + 1;
        }
        _onCpu[cpu] += batch.Length;
        Delivered += batch.Length;
    }
}
