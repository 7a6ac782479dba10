using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;
using Softnet.Diagnostics;
using Softnet.Interop;
using Softnet.Load;
using Softnet.Scheduling;

namespace Softnet.Tests.UdpDevice;

/// <summary>Where a scenario's device listens and where its senders send from.</summary>
public enum Family
{
    /// <summary>Device on 127.0.0.1, IPv4 senders.</summary>
    V4,

    /// <summary>Device on [::1], IPv6 senders.</summary>
    V6,

    /// <summary>Device on [::] (dual-stack), IPv4 senders: sources arrive as v4-mapped addresses.</summary>
    Dual,
}

internal static class Families
{
    public static IPEndPoint Bind(this Family f) => f switch
    {
        Family.V4 => new IPEndPoint(IPAddress.Loopback, 0),
        Family.V6 => new IPEndPoint(IPAddress.IPv6Loopback, 0),
        _ => new IPEndPoint(IPAddress.IPv6Any, 0),
    };

    public static AddressFamily SenderFamily(this Family f) =>
        f == Family.V6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    /// <summary>Where senders aim for a device bound to <paramref name="bound"/>.</summary>
    public static IPEndPoint Destination(this Family f, IPEndPoint bound) =>
        new(f == Family.V6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, bound.Port);
}

/// <summary>Bounded waits: each ends, and one that runs out fails the test saying what it waited for.</summary>
internal static class Wait
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static bool Holds(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
                return condition();
            Thread.Sleep(1);
        }
        return true;
    }

    public static void Until(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        if (!Holds(condition, timeout ?? Patience))
            Assert.Fail($"timed out waiting for: {what()}");
    }

    /// <summary>Waits (bounded, without failing) until every datagram sent was delivered or counted as dropped.</summary>
    public static bool Settled(NetStack stack, Recorder recorder, long sent, TimeSpan? timeout = null) =>
        Holds(() => recorder.Delivered + stack.Snapshot().Dropped >= sent, timeout ?? TimeSpan.FromSeconds(5));

    public static void Set(ManualResetEventSlim e, string what)
    {
        if (!e.Wait(Patience))
            Assert.Fail($"timed out waiting for: {what}");
    }
}

/// <summary>The test datagram: flow number, sequence number within the flow, and the OS CPU the sender ran on.</summary>
internal static class Payload
{
    public const int Bytes = 12;

    public static void Write(Span<byte> buffer, int flow, int seq, int cpu)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer, flow);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], seq);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[8..], cpu);
    }

    public static int Flow(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadInt32LittleEndian(data);

    public static int Seq(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadInt32LittleEndian(data[4..]);

    public static int Cpu(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadInt32LittleEndian(data[8..]);

    /// <summary>The port of a raw sockaddr_in / sockaddr_in6 (network order at offset 2 in both).</summary>
    public static int Port(ReadOnlySpan<byte> sockaddr) => BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);

    /// <summary>The address family of a raw sockaddr.</summary>
    public static int AddressFamilyOf(ReadOnlySpan<byte> sockaddr) => BinaryPrimitives.ReadUInt16LittleEndian(sockaddr);
}

/// <summary>
/// A handler that checks every datagram: it belongs to a known flow, comes from that flow's source port, and follows
/// the previous datagram of its flow. It counts deliveries overall and per queue. Allocation-free.
/// </summary>
internal sealed class Recorder
{
    private readonly int[] _ports;
    private readonly FlowOrder _order;
    private readonly long[] _perQueue = new long[16];
    private readonly long[] _perCpu = new long[16];
    private long _delivered;
    private long _outOfOrder;
    private long _foreign;
    private long _wrongQueue;

    public Recorder(IReadOnlyList<int> ports)
    {
        _ports = [.. ports];
        _order = new FlowOrder(ports.Count);
    }

    /// <summary>When set, every datagram must arrive on queue <c>sender CPU mod value</c> (CPU steering).</summary>
    public int SteeringQueues { get; set; }

    public long Delivered => Volatile.Read(ref _delivered);

    public long OutOfOrder => Volatile.Read(ref _outOfOrder);

    public long Foreign => Volatile.Read(ref _foreign);

    public long WrongQueue => Volatile.Read(ref _wrongQueue);

    public long OnQueue(int queue) => Volatile.Read(ref _perQueue[queue]);

    /// <summary>Datagrams delivered in NAPI context of stack CPU <paramref name="cpu"/>.</summary>
    public long OnCpu(int cpu) => Volatile.Read(ref _perCpu[cpu]);

    public void Handle(ReadOnlySpan<Packet> batch, int cpu)
    {
        Interlocked.Add(ref _perCpu[cpu], batch.Length);
        foreach (var p in batch)
            Check(p);
        Interlocked.Add(ref _delivered, batch.Length);
    }

    private void Check(Packet p)
    {
        Interlocked.Increment(ref _perQueue[p.QueueIndex]);
        var data = p.Data;
        int flow = data.Length == Payload.Bytes ? Payload.Flow(data) : -1;
        if ((uint)flow >= (uint)_ports.Length || Payload.Port(p.SourceAddress) != _ports[flow])
        {
            Interlocked.Increment(ref _foreign);
            return;
        }
        int seq = Payload.Seq(data);
        if (!_order.InOrder(flow, seq))
            Interlocked.Increment(ref _outOfOrder);
        if (SteeringQueues > 0 && p.QueueIndex != Payload.Cpu(data) % SteeringQueues)
            Interlocked.Increment(ref _wrongQueue);
    }

    public string Describe() =>
        $"delivered {Delivered}, out of order {OutOfOrder}, foreign {Foreign}, wrong queue {WrongQueue}, per queue [{OnQueue(0)}, {OnQueue(1)}]";
}

/// <summary>Plain sender sockets, one per flow (source port), bound to the loopback address of their family.</summary>
internal sealed class Flows : IDisposable
{
    private readonly Socket[] _sockets;

    public Flows(int count, AddressFamily family, int receiveBufferBytes = 0)
    {
        _sockets = new Socket[count];
        for (int i = 0; i < count; i++)
        {
            var s = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            if (receiveBufferBytes > 0)
                s.ReceiveBufferSize = receiveBufferBytes;
            s.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, 0));
            _sockets[i] = s;
        }
        Ports = _sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
    }

    public int Count => _sockets.Length;

    public IReadOnlyList<int> Ports { get; }

    public Socket this[int flow] => _sockets[flow];

    public void Dispose()
    {
        foreach (var s in _sockets)
            s.Dispose();
    }
}

/// <summary>
/// Sends numbered datagrams from sender threads, each optionally pinned to a CPU, each owning every
/// <c>threads</c>-th flow. A window against the receiver's count keeps the sockets from overflowing; if the receiver
/// makes no progress for a while (drops), the senders go on. Everything is bounded by count and by time.
/// </summary>
internal sealed class Senders
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long background streams may run: they carry a whole scenario (hundreds of hotplug or channel changes, each
    /// waiting for traffic), which on a loaded machine can take far longer than one burst.
    /// </summary>
    private static readonly TimeSpan StreamTimeLimit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(200);

    private readonly Flows _flows;
    private readonly IPEndPoint _destination;
    private readonly Func<long> _received;
    private readonly int _window;
    private readonly int[] _nextSeq;
    private long _sent;
    private long _writtenOff;
    private volatile bool _stop;

    public Senders(Flows flows, IPEndPoint destination, Func<long> received, int window)
    {
        _flows = flows;
        _destination = destination;
        _received = received;
        _window = window;
        _nextSeq = new int[flows.Count];
    }

    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Whether every sender thread ran pinned where it was asked to.</summary>
    public bool AllPinned { get; private set; } = true;

    /// <summary>Sends <paramref name="perFlow"/> more datagrams on every flow and returns once they are sent.</summary>
    public void Run(int threads, int perFlow, Func<int, int>? cpuOfThread = null)
    {
        var workers = StartWorkers(threads, perFlow, cpuOfThread, TimeLimit);
        foreach (var t in workers)
            Assert.True(t.Join(TimeLimit + TimeSpan.FromSeconds(5)), "a sender thread did not finish");
    }

    /// <summary>Streams in the background until <see cref="StopAndJoin"/>, until <paramref name="perFlow"/> per flow, or for two minutes at most.</summary>
    public Thread[] Start(int threads, int perFlow, Func<int, int>? cpuOfThread = null) =>
        StartWorkers(threads, perFlow, cpuOfThread, StreamTimeLimit);

    public void StopAndJoin(Thread[] workers)
    {
        _stop = true;
        foreach (var t in workers)
            Assert.True(t.Join(StreamTimeLimit + TimeSpan.FromSeconds(5)), "a sender thread did not stop");
        _stop = false;
    }

    private Thread[] StartWorkers(int threads, int perFlow, Func<int, int>? cpuOfThread, TimeSpan timeLimit)
    {
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int thread = t;
            workers[t] = new Thread(() => Body(thread, threads, perFlow, cpuOfThread?.Invoke(thread) ?? -1, timeLimit))
            {
                IsBackground = true,
                Name = $"udp-sender-{t}",
            };
            workers[t].Start();
        }
        return workers;
    }

    private void Body(int thread, int threads, int perFlow, int cpu, TimeSpan timeLimit)
    {
        if (cpu >= 0 && !Pinning.PinCurrentThread(cpu))
            AllPinned = false;
        int reportedCpu = cpu >= 0 ? cpu : Libc.SchedGetCpu();
        var buffer = new byte[Payload.Bytes];
        var clock = Stopwatch.StartNew();
        long stallSince = 0;
        long lastReceived = -1;
        for (int round = 0; round < perFlow && !_stop && clock.Elapsed < timeLimit; round++)
        {
            for (int flow = thread; flow < _flows.Count && !_stop; flow += threads)
            {
                // The window: wait while too much is in flight. If the receiver makes no progress for a while (drops,
                // or its CPU busy elsewhere), what is in flight is written off and sending goes on.
                while (Sent - _received() - Volatile.Read(ref _writtenOff) >= _window && !_stop)
                {
                    long received = _received();
                    long now = clock.ElapsedMilliseconds;
                    if (received != lastReceived)
                    {
                        lastReceived = received;
                        stallSince = now;
                    }
                    else if (now - stallSince > Stall.TotalMilliseconds || clock.Elapsed > timeLimit)
                    {
                        Volatile.Write(ref _writtenOff, Sent - received);
                        stallSince = now;
                        break;
                    }
                    Thread.Yield();
                }
                Payload.Write(buffer, flow, _nextSeq[flow]++, reportedCpu);
                _flows[flow].SendTo(buffer, _destination);
                Interlocked.Increment(ref _sent);
            }
        }
    }
}

internal static unsafe class Pinning
{
    /// <summary>The OS CPUs this process may run on.</summary>
    public static IReadOnlyList<int> Allowed => SystemPlatform.Instance.AllowedOsCpus();

    /// <summary>Pins the calling thread to <paramref name="cpu"/>; true when it now runs there.</summary>
    public static bool PinCurrentThread(int cpu)
    {
        byte* mask = stackalloc byte[Libc.CpuSetBytes];
        new Span<byte>(mask, Libc.CpuSetBytes).Clear();
        mask[cpu >> 3] = (byte)(1 << (cpu & 7));
        return Libc.SchedSetAffinity(0, Libc.CpuSetBytes, mask) == 0 && Libc.SchedGetCpu() == cpu;
    }

    /// <summary>
    /// Whether a datagram sent on loopback is received (and steered by the reuseport program) on the sending CPU:
    /// true unless RPS is configured on lo.
    /// </summary>
    public static bool LoopbackReceivesOnSendingCpu()
    {
        const string rpsCpus = "/sys/class/net/lo/queues/rx-0/rps_cpus";
        return !File.Exists(rpsCpus) || File.ReadAllText(rpsCpus).Trim().All(c => c is '0' or ',');
    }
}

/// <summary>Reads the kernel's view of the device's sockets from /proc/net/udp and /proc/net/udp6.</summary>
internal static class ProcUdp
{
    /// <summary>Bytes queued for reading (rx_queue) over every socket bound to local <paramref name="port"/>.</summary>
    public static long RxQueueBytes(int port)
    {
        long total = 0;
        foreach (var table in (ReadOnlySpan<string>)["/proc/net/udp", "/proc/net/udp6"])
        {
            if (!File.Exists(table))
                continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue ...
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length < 5)
                    continue;
                int colon = cols[1].LastIndexOf(':');
                if (int.Parse(cols[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
                    continue;
                var queues = cols[4].Split(':');
                total += long.Parse(queues[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }
        return total;
    }
}

internal static class Accounting
{
    /// <summary>
    /// After the stack is disposed: every datagram sent was delivered to the handler or counted as a drop, and the
    /// stack's delivered count is the handler's.
    /// </summary>
    public static void AssertAllAccounted(long sent, long handlerDelivered, SoftnetSnapshot s)
    {
        string drops = string.Join(", ", s.Drops.Where(d => d.Value != 0).Select(d => $"{d.Key.Name()} {d.Value}"));
        Assert.True(
            s.Delivered == handlerDelivered,
            $"stack delivered {s.Delivered}, handler saw {handlerDelivered}");
        Assert.True(
            sent == s.Delivered + s.Dropped,
            $"sent {sent} != delivered {s.Delivered} + dropped {s.Dropped} ({drops}); unaccounted {sent - s.Delivered - s.Dropped}");
    }
}

/// <summary>A picture of a stack and a device for failure messages.</summary>
internal static class Diagnostics
{
    public static string Describe(NetStack stack, Devices.Udp.UdpDevice dev)
    {
        var s = stack.Snapshot();
        var cpus = string.Join(" | ", Enumerable.Range(0, stack.CpuCount).Select(i =>
        {
            var c = stack.Cpu(i);
            return $"cpu {i}: backlog {c.Backlog.State} in {c.Backlog.InputLength} proc {c.Backlog.ProcessLength} polls {c.Backlog.Polls}, processed {s.Cpus[i].Processed}";
        }));
        var napis = string.Join(" | ", dev.Napis.Select(n => $"napi {n.Id} {n.State} polls {n.Polls} packets {n.Packets}"));
        var drops = string.Join(", ", s.Drops.Where(d => d.Value > 0).Select(d => $"{d.Key.Name()} {d.Value}"));
        return $"delivered {s.Delivered}, drops [{drops}], {cpus}, {napis}, socket queue {ProcUdp.RxQueueBytes(dev.LocalEndPoint.Port)} B, kernel drops {dev.ReadSocketDrops()}";
    }
}
