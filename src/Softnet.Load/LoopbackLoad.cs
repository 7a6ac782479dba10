using Softnet.Core;
using Softnet.Devices;
using Softnet.Scheduling;

namespace Softnet.Load;

/// <summary>
/// The built-in load for the loopback device: producer threads, each owning a disjoint set of flows, send packets
/// stamped with flow id, sequence number and send time in batches of up to <see cref="LoopbackDevice.MaxBatch"/>,
/// paced to their share of the total rate. Every loop is bounded by a stop request, a deadline and a packet count.
/// </summary>
public sealed class LoopbackLoad : IDisposable
{
    private readonly LoopbackDevice _device;
    private readonly int _size;
    private readonly double _ratePerProducer;
    private readonly long _durationNs;
    private readonly Thread[] _threads;
    private readonly FlowSet[] _flows;
    private readonly long[] _sent;
    // Never disposed: a producer that failed to stop may still touch it, and it holds no OS handle unless asked for one.
    private readonly ManualResetEventSlim _go = new();
    private long _startNs;
    private volatile bool _stop;

    /// <param name="device">Where the packets go.</param>
    /// <param name="producers">Producer threads.</param>
    /// <param name="flows">Flows over all producers (at least one per producer).</param>
    /// <param name="rate">Packets per second over all producers; 0 = as fast as possible.</param>
    /// <param name="size">Payload bytes per packet, at least <see cref="PacketHeader.Size"/>.</param>
    /// <param name="duration">How long producers may run at most once started; <see cref="Stop"/> usually ends them first.</param>
    public LoopbackLoad(LoopbackDevice device, int producers, int flows, long rate, int size, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, PacketHeader.Size);
        _device = device;
        _size = size;
        _ratePerProducer = (double)rate / producers;
        _durationNs = (long)duration.TotalNanoseconds;
        _flows = new FlowSet[producers];
        // One cache line per producer's counter: each is written after every batch while the progress line reads them.
        _sent = new long[(producers + 1) * 8];
        _threads = new Thread[producers];
        for (int i = 0; i < producers; i++)
        {
            _flows[i] = new FlowSet(i, producers, flows);
            int producer = i;
            _threads[i] = new Thread(() => Produce(producer)) { Name = $"producer/{i}", IsBackground = true };
            _threads[i].Start();
        }
    }

    /// <summary>Packets handed to the device so far.</summary>
    public long Sent
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _threads.Length; i++)
                sum += Volatile.Read(ref _sent[(i + 1) * 8]);
            return sum;
        }
    }

    /// <summary>Lets the producers go (they are started, waiting, when the constructor returns).</summary>
    public void Start(long startNs)
    {
        _startNs = startNs;
        _go.Set();
    }

    /// <summary>Asks the producers to stop after their current batch and waits for them; false if one did not stop in time.</summary>
    public bool Stop(TimeSpan timeout)
    {
        _stop = true;
        _go.Set();
        long until = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        foreach (var thread in _threads)
        {
            if (!thread.Join(TimeSpan.FromMilliseconds(Math.Max(0, until - Environment.TickCount64))))
                return false;
        }
        return true;
    }

    /// <summary>Stops the producers if <see cref="Stop"/> was not called, e.g. when the run failed half-way.</summary>
    public void Dispose()
    {
        if (!_stop)
            Stop(TimeSpan.FromSeconds(10));
    }

    private void Produce(int producer)
    {
        _go.Wait();
        var clock = _device.Stack.Platform;
        var send = new DeviceSend(_device, new Writer(_flows[producer], _size, clock));
        PacedProducer.Run(ref send, _ratePerProducer, LoopbackDevice.MaxBatch, clock, _startNs, _durationNs, () => _stop, ref _sent[(producer + 1) * 8]);
    }

    private struct DeviceSend(LoopbackDevice device, Writer writer) : IBatchSend
    {
        private Writer _writer = writer;

        public void Send(int count) => device.Send(count, ref _writer);
    }

    /// <summary>Fills each packet in place: header (flow, sequence, send time), length and the flow's hash.</summary>
    private readonly struct Writer(FlowSet flows, int size, IPlatform clock) : IPacketWriter
    {
        public void Write(int index, Packet packet)
        {
            int flow = flows.Next(out uint hash, out long sequence);
            new PacketHeader(flow, sequence, clock.NowNs()).WriteTo(packet.Buffer);
            packet.SetLength(size);
            packet.FlowHash = hash;
        }
    }
}
