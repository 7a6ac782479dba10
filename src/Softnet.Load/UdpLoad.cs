using System.Net;
using System.Net.Sockets;
using Softnet.Devices.Udp;
using Softnet.Scheduling;

namespace Softnet.Load;

/// <summary>
/// The UDP sender of <c>softnet run</c>: producer threads, each pinned to one CPU (so reuseport CPU steering keeps every
/// flow on one queue), each owning a set of flows — one socket, one source port, per flow — sending with sendmmsg in
/// batches, every datagram carrying flow id, sequence number and send time. Bounded by a time limit or an exact count.
/// </summary>
public sealed class UdpLoad : IDisposable
{
    /// <summary>Datagrams one sendmmsg sends from one flow's socket.</summary>
    private const int Burst = 8;

    private readonly IPEndPoint _target;
    private readonly IPlatform _clock;
    private readonly int _size;
    private readonly Flow[][] _flows;
    private readonly long[] _sent;
    private readonly List<IThreadHandle> _threads = [];
    private volatile bool _stop;

    /// <summary>Opens one socket per flow towards <paramref name="target"/>, split over <paramref name="producers"/> sending threads.</summary>
    public UdpLoad(IPEndPoint target, int producers, int flows, int size, IPlatform clock)
    {
        _target = target;
        _clock = clock;
        _size = size;
        ShortSleep.Bind();
        var local = new IPEndPoint(target.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, 0);
        _flows = new Flow[producers][];
        try
        {
            for (int p = 0; p < producers; p++)
            {
                _flows[p] = Enumerable.Range(0, flows).Where(f => f % producers == p)
                    .Select(f => new Flow(f, UdpSocket.Open(local, new UdpSocketOptions { SendBufferBytes = 1 << 20 })))
                    .ToArray();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        _sent = new long[(producers + 1) * 8];
    }

    /// <summary>Datagrams the kernel accepted so far.</summary>
    public long Sent
    {
        get
        {
            long total = 0;
            for (int p = 0; p < _flows.Length; p++)
                total += Volatile.Read(ref _sent[(p + 1) * 8]);
            return total;
        }
    }

    /// <summary>Starts the producers: until <paramref name="deadlineNs"/>, at <paramref name="rate"/> datagrams/s in total (0: as fast as they can), or until <paramref name="count"/> are sent when it is positive.</summary>
    public void Start(long deadlineNs, long rate, long count)
    {
        var cpus = SystemPlatform.Instance.AllowedOsCpus();
        for (int p = 0; p < _flows.Length; p++)
        {
            int producer = p;
            long share = count > 0 ? count / _flows.Length + (p < count % _flows.Length ? 1 : 0) : long.MaxValue;
            // The send state is made here, on the caller's thread: a run that counts what its other threads allocate
            // (softnet run's alloc_bytes_per_packet) counts no start-up of the sender.
            var batch = NewBatch(out var buffers);
            _threads.Add(SystemPlatform.Instance.StartThread($"udp-load/{p}", cpus[p % cpus.Count],
                () => Produce(producer, deadlineNs, (double)rate / _flows.Length, share, batch, buffers)));
        }
    }

    /// <summary>One producer's sendmmsg batch with its destination set and its pinned payload buffers.</summary>
    private MessageBatch NewBatch(out byte[][] buffers)
    {
        var batch = new MessageBatch(Burst);
        buffers = new byte[Burst][];
        Span<byte> destination = stackalloc byte[Softnet.Core.Packet.MaxAddressBytes];
        int destinationLength = SockAddr.Write(_target, destination);
        for (int i = 0; i < Burst; i++)
        {
            buffers[i] = GC.AllocateArray<byte>(Math.Max(_size, PacketHeader.Size), pinned: true);
            batch.SetDestination(i, destination[..destinationLength]);
        }
        return batch;
    }

    /// <summary>Asks the producers to stop and waits for them.</summary>
    public bool Stop(TimeSpan timeout)
    {
        _stop = true;
        return _threads.All(t => t.Join(timeout));
    }

    /// <summary>Waits for producers that were given a count.</summary>
    public bool Join(TimeSpan timeout) => _threads.All(t => t.Join(timeout));

    /// <summary>Stops the producers and closes every flow's socket.</summary>
    public void Dispose()
    {
        _stop = true;
        foreach (var t in _threads)
            t.Join(TimeSpan.FromSeconds(10));
        foreach (var flows in _flows)
        {
            foreach (var f in flows ?? [])
                f.Socket.Dispose();
        }
    }

    private void Produce(int producer, long deadlineNs, double rate, long share, MessageBatch batch, byte[][] buffers)
    {
        using var owned = batch;
        var flows = _flows[producer];
        if (flows.Length == 0)
            return;
        var pacer = new Pacer(rate, Burst, _clock.NowNs());
        ref long sent = ref _sent[(producer + 1) * 8];
        long total = 0;
        int next = 0;
        while (!_stop && total < share)
        {
            long now = _clock.NowNs();
            if (now >= deadlineNs)
                break;
            int n = (int)Math.Min(pacer.Take(now), share - total);
            if (n == 0)
            {
                pacer.Wait();
                continue;
            }
            var flow = flows[next];
            next = next + 1 == flows.Length ? 0 : next + 1;
            for (int i = 0; i < n; i++)
            {
                new PacketHeader(flow.Id, flow.Sequence + i, now).WriteTo(buffers[i]);
                batch.SetBuffer(i, buffers[i], _size);
            }
            int ok = batch.Send(flow.Socket.Fd, n);
            if (ok <= 0)
            {
                // The socket's send buffer is full: the kernel is behind; try again without counting a send.
                Thread.Yield();
                continue;
            }
            flow.Sequence += ok;
            total += ok;
            Volatile.Write(ref sent, total);
        }
    }

    private sealed class Flow(int id, UdpSocket socket)
    {
        public int Id { get; } = id;

        public UdpSocket Socket { get; } = socket;

        public long Sequence { get; set; }
    }
}
