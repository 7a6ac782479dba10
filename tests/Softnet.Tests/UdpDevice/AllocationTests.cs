using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>The receive path allocates nothing per datagram once warm: interrupt, recvmmsg poll, steering, delivery, free.</summary>
[Collection(UdpDeviceCollection.Name)]
public class AllocationTests
{
    public AllocationTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected AllocationTests(UdpBackend backend) => TestBackend.Current = backend;

    private const int Warmup = 30_000;
    private const int Measured = 110_000;
    private const int Attempts = 3;
    private const int Window = 256;
    private const double MaxBytesPerDatagram = 0.05;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After warm-up, 110 000 datagrams from an allocation-free sender (one buffer, one pre-built SocketAddress,
    /// Socket.SendTo(span, flags, SocketAddress)) go through a two-queue device into a handler that only reads and
    /// counts. Over the phase the stack's threads (ksoftirqd, backlog threads: interrupt, poll, steering, delivery,
    /// free) allocate less than 0.05 bytes per datagram in all, and the threads that deliver under 0.01 (a lazily
    /// created lock event at most). Only the stack's own threads are counted (<see cref="AllocationMeteringPlatform"/>),
    /// so the test runner's reports and other threads of the process do not count. A phase over the limit is measured
    /// again, up to three times, for a one-time lazy allocation: a per-datagram allocation exceeds it every time.
    /// </summary>
    [Theory]
    [InlineData(KickMode.Softirq, "")]
    [InlineData(KickMode.Softirq, "all")]
    [InlineData(KickMode.BacklogThreads, "all")]
    public void ReceivePath_AllocatesNothingPerDatagram(KickMode mode, string rps)
    {
        var counter = new DeliveryCounter();
        var cpus = Pinning.Allowed;
        var run = new Run();
        var log = new TestSupport.PreallocatedLog();
        var platform = new TestSupport.AllocationMeteringPlatform();
        var stack = new NetStack(UdpStacks.Options(mode, rps) with { Log = log.Add, Platform = platform }, counter.Handle);
        try
        {
            // The sender's CPU steers its datagrams to queue 0, whose interrupt the other CPU takes: the sender's
            // waits do not compete with the poll.
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2, IrqAffinity = cpus.Count > 1 ? [1, 0] : null });
            dev.Start();
            var destination = dev.LocalEndPoint.Serialize();
            run.Diagnose = () => Diagnostics.Describe(stack, dev) + $"; log: {log}";
            var sender = new Thread(() => SendAndMeasure(cpus[0], destination, counter, platform, run)) { IsBackground = true, Name = "udp-alloc-sender" };
            sender.Start();
            Assert.True(sender.Join(TimeSpan.FromSeconds(60)), "the sender did not finish");
        }
        finally
        {
            stack.Dispose();
        }

        Assert.True(run.Error is null, run.Error);
        Assert.NotEmpty(run.Phases);
        var best = run.Phases.MinBy(p => p.PerDatagram)!;
        string all = string.Join("; ", run.Phases);
        Assert.True(best.Delivered >= 100_000, $"too few datagrams in the measured phase: {all}");
        // One-time lazy allocations (a contended lock's wait event) may land on these threads; a per-batch one could not hide.
        Assert.True(best.DeliveringThreadsAllocated < best.Delivered * 0.01, $"the delivering threads allocated: {all}; log: {log}");
        Assert.True(best.PerDatagram < MaxBytesPerDatagram, $"every phase allocated too much: {all}; log: {log}");
        Accounting.AssertAllAccounted(run.Sent, counter.Delivered, stack.Snapshot());
    }

    /// <summary>The sender thread's whole run: pin, warm up, then measured phases until one is under the limit.</summary>
    private static void SendAndMeasure(int cpu, SocketAddress destination, DeliveryCounter counter, TestSupport.AllocationMeteringPlatform platform, Run run)
    {
        try
        {
            Pinning.PinCurrentThread(cpu);
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var payload = new byte[Payload.Bytes];
            var clock = Stopwatch.StartNew();
            long sent = 0;
            bool completed = Send(sender, payload, destination, counter, Warmup, ref sent, clock);
            WaitDelivered(counter, sent, clock);
            run.Sent = sent;
            if (!completed)
            {
                run.Error = $"warm-up did not complete: {counter.Delivered} of {sent} delivered; {run.Diagnose?.Invoke()}";
                return;
            }
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                counter.StartMeasuring();
                long deliveredBefore = counter.Delivered;
                if (!platform.TryReadWhileIdle(Idle, out long before))
                {
                    run.Error = $"the stack's threads never all slept before the phase; {run.Diagnose?.Invoke()}";
                    return;
                }
                completed = Send(sender, payload, destination, counter, Measured, ref sent, clock);
                WaitDelivered(counter, sent, clock);
                if (!platform.TryReadWhileIdle(Idle, out long after))
                {
                    run.Error = $"the stack's threads never all slept after the phase; {run.Diagnose?.Invoke()}";
                    return;
                }
                counter.StopMeasuring();
                run.Sent = sent;
                var phase = new Phase(counter.Delivered - deliveredBefore, after - before, counter.MeasuredThreadAllocations());
                run.Phases.Add(phase);
                if (!completed)
                {
                    run.Error = $"a measured phase did not complete: {phase}; sent {sent}; {run.Diagnose?.Invoke()}";
                    return;
                }
                if (phase.PerDatagram < MaxBytesPerDatagram)
                    return;
            }
        }
        catch (Exception e)
        {
            run.Error = e.ToString();
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> datagrams keeping at most <see cref="Window"/> in flight. When deliveries stall
    /// for a while (a drop, or the receiving CPU busy elsewhere) what is in flight is written off and sending goes on.
    /// No allocation: counters and the clock only. False when out of time.
    /// </summary>
    private static bool Send(Socket sender, byte[] payload, SocketAddress destination, DeliveryCounter counter, int count, ref long sent, Stopwatch clock)
    {
        long deadline = clock.ElapsedMilliseconds + 15_000;
        long stallSince = clock.ElapsedMilliseconds;
        long lastDelivered = -1;
        long writtenOff = 0;
        for (int i = 0; i < count; i++)
        {
            while (sent - counter.Delivered - writtenOff >= Window)
            {
                long now = clock.ElapsedMilliseconds;
                if (now > deadline)
                    return false;
                long d = counter.Delivered;
                if (d != lastDelivered)
                {
                    lastDelivered = d;
                    stallSince = now;
                }
                else if (now - stallSince > 200)
                {
                    writtenOff = sent - d;
                    stallSince = now;
                    break;
                }
                Thread.Yield();
            }
            sender.SendTo(payload, SocketFlags.None, destination);
            sent++;
        }
        return true;
    }

    private static void WaitDelivered(DeliveryCounter counter, long sent, Stopwatch clock)
    {
        long deadline = clock.ElapsedMilliseconds + 5_000;
        while (counter.Delivered < sent && clock.ElapsedMilliseconds < deadline)
            Thread.Sleep(1);
    }

    private sealed record Phase(long Delivered, long Allocated, long DeliveringThreadsAllocated)
    {
        public double PerDatagram => Delivered == 0 ? double.PositiveInfinity : (double)Allocated / Delivered;

        public override string ToString() =>
            $"stack threads {Allocated} B for {Delivered} datagrams ({PerDatagram:F4} B/datagram), delivering threads {DeliveringThreadsAllocated} B";
    }

    private sealed class Run
    {
        public long Sent;
        public string? Error;
        public Func<string>? Diagnose;
        public List<Phase> Phases { get; } = [];
    }

    /// <summary>
    /// A handler that reads every datagram and counts, allocating nothing. While measuring it also notes, per thread
    /// that calls it, the thread's allocated-bytes counter at its first and latest call.
    /// </summary>
    private sealed class DeliveryCounter
    {
        private const int MaxThreadId = 4096;
        private readonly long[] _first = new long[MaxThreadId];
        private readonly long[] _last = new long[MaxThreadId];
        private readonly bool[] _seen = new bool[MaxThreadId];
        private volatile bool _measuring;
        private long _delivered;
        private long _bytes;

        public long Delivered => Volatile.Read(ref _delivered);

        public void StartMeasuring()
        {
            Array.Clear(_seen);
            _measuring = true;
        }

        public void StopMeasuring() => _measuring = false;

        public long MeasuredThreadAllocations()
        {
            long total = 0;
            for (int i = 0; i < MaxThreadId; i++)
            {
                if (Volatile.Read(ref _seen[i]))
                    total += Volatile.Read(ref _last[i]) - Volatile.Read(ref _first[i]);
            }
            return total;
        }

        public void Handle(ReadOnlySpan<Packet> batch, int cpu)
        {
            long bytes = 0;
            foreach (var p in batch)
                bytes += p.Data.Length + p.SourceAddress.Length;
            Interlocked.Add(ref _bytes, bytes);
            if (_measuring)
            {
                int id = Environment.CurrentManagedThreadId;
                if (id < MaxThreadId)
                {
                    long now = GC.GetAllocatedBytesForCurrentThread();
                    if (!_seen[id])
                    {
                        _first[id] = now;
                        Volatile.Write(ref _seen[id], true);
                    }
                    Volatile.Write(ref _last[id], now);
                }
            }
            Interlocked.Add(ref _delivered, batch.Length);
        }
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class AllocationTestsIoUring : AllocationTests
{
    public AllocationTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
