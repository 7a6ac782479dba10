using System.Globalization;
using System.Net;
using Softnet.Cli.Load;
using Softnet.Cli.Options;
using Softnet.Cli.Report;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Load;

namespace Softnet.Cli.Udp;

/// <summary>
/// One UDP run on 127.0.0.1: a stack with a UDP device and the load's handler. Streaming: pinned senders for the
/// requested time, a progress line per second. Prefill: N datagrams queued in the sockets while the device is not
/// polling, then the device starts and the drain is timed from the first delivery to the last — receive capacity
/// without the sender's limits. Either way the stack is disposed at the end (the sockets are drained into it) and
/// every counter goes into the report.
/// </summary>
internal static class UdpRun
{
    /// <summary>Kernel bytes one small datagram takes in a socket buffer (skb truesize), with room to spare.</summary>
    private const long BytesPerQueuedDatagram = 1280;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Datagrams in each untimed warm-up drain before a timed one: enough for the receive path's methods to be called
    /// often enough that tiered compilation replaces them with optimised code.
    /// </summary>
    private const long WarmupDatagrams = 200_000;

    /// <summary>Warm-up drains at most, when the JIT keeps compiling (the timed drain then says so on stderr).</summary>
    private const int MaxWarmups = 6;

    /// <summary>
    /// Warm-up drains in a row in which the JIT compiles nothing, before the timed drain. One is not enough: a drain can
    /// end before the methods it called were counted and promoted (two queues drain 200,000 datagrams in under 100 ms),
    /// and the promotions then land in the next drain, or the timed one ran the first tiers' code.
    /// </summary>
    private const int QuietWarmups = 2;

    /// <summary>
    /// How long the JIT must compile nothing before the process counts as settled: longer than tiered compilation's
    /// 100 ms call-counting delay, so methods waiting for it have been promoted (or counted) by then.
    /// </summary>
    private static readonly TimeSpan JitQuiet = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan JitSettleTimeout = TimeSpan.FromSeconds(10);

    public static RunReport Execute(RunOptions options, TextWriter progress)
    {
        if (options.Prefill > 0)
            WarmUp(options, progress);
        var report = Once(options, progress, out long compiled);
        if (options.Prefill > 0 && compiled > 0)
            progress.WriteLine($"softnet run: the JIT compiled {compiled} methods during the timed drain");
        return report;
    }

    /// <summary>
    /// A fresh process runs its first calls in unoptimised code, and tiered compilation promotes a method only after
    /// a 100 ms delay with no new compilations, 30 counted calls, and a background compile: one warm-up drain of a
    /// few hundred milliseconds can end before the drain path is promoted, leaving the promotion (and first-tier
    /// code) inside the timed window. So the same process drains untimed, each time on a stack of its own, until the
    /// JIT compiles no method during <see cref="QuietWarmups"/> drains in a row (setting up, prefilling and tearing down
    /// a stack may still compile: that is outside the timed window, and every drain starts only once the JIT has been
    /// quiet for a while).
    /// </summary>
    private static void WarmUp(RunOptions options, TextWriter progress)
    {
        long warm = Math.Min(options.Prefill, WarmupDatagrams);
        progress.WriteLine($"softnet run: warm-up: untimed drains of {warm:N0} datagrams until the JIT compiles no method during {QuietWarmups} in a row, then the timed drain of {options.Prefill:N0}");
        int quiet = 0;
        for (int round = 1; ; round++)
        {
            var warmup = Once(options with { Prefill = warm }, progress, out long compiled);
            if (warmup.Violation() is { } violation)
                throw new RunFailedException($"warm-up drain: {violation}");
            progress.WriteLine($"softnet run: warm-up {round}: the JIT compiled {compiled} methods during the drain");
            quiet = compiled == 0 ? quiet + 1 : 0;
            if (quiet == QuietWarmups)
                return;
            if (round == MaxWarmups)
            {
                progress.WriteLine($"softnet run: the JIT still compiled methods after {MaxWarmups} warm-up drains; the timed drain may include some");
                return;
            }
        }
    }

    /// <summary>Waits until the JIT compiled nothing for <see cref="JitQuiet"/> (bounded).</summary>
    private static void WaitJitQuiet()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long count = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quietSince = clock.Elapsed;
        while (clock.Elapsed - quietSince < JitQuiet && clock.Elapsed < JitSettleTimeout)
        {
            Thread.Sleep(20);
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != count)
            {
                count = now;
                quietSince = clock.Elapsed;
            }
        }
    }

    /// <summary>One run on a stack of its own; with a prefill, <paramref name="jitCompiled"/> counts the methods the JIT compiled from the device's start to the end of the drain.</summary>
    private static RunReport Once(RunOptions options, TextWriter progress, out long jitCompiled)
    {
        jitCompiled = 0;
        var stackOptions = options.ToStackOptions(m => progress.WriteLine("softnet: " + m));
        var clock = stackOptions.Platform;
        var sink = new DeliverySink(options.Cpus, options.Flows, clock, options.Overload.WorkUs, options.Handler == HandlerKind.Check);
        var span = new DeliverySpan(clock);
        var stack = new NetStack(stackOptions, (batch, cpu) =>
        {
            span.Mark();
            sink.Handle(batch, cpu);
        });
        long sent, allocated;
        long? cpuNs;
        double seconds;
        IReadOnlyList<UdpQueueStats> queues;
        UdpProtectedStats? protectedStats;
        long shedEpisodes;
        try
        {
            int queueCount = options.Queues == 0 ? options.Cpus : options.Queues;
            long perQueue = options.Prefill / queueCount + 1;
            var device = OpenDevice(stack, options, queueCount, perQueue);
            device.SetThreaded(options.Threaded);
            // With CPU steering a datagram lands on the queue of the CPU it was sent from: one pinned producer per CPU spreads them.
            int producers = options.Prefill > 0 ? Math.Min(queueCount, options.Cpus) : options.ProducerCount;
            using var load = new UdpLoad(device.LocalEndPoint, producers, options.Flows, options.Size, clock);
            // Each branch starts the allocation window where what it measures starts.
            long allocatedBefore, ownBefore;
            if (options.Prefill > 0)
            {
                sent = Prefill(device, load, options.Prefill, progress);
                // Promotions the prefill (or an earlier drain) triggered compile in the background: they land before
                // the drain starts, not inside its window.
                WaitJitQuiet();
                // The drain is what is measured: the sender's allocations while it queued are not the receiver's.
                allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                ownBefore = GC.GetAllocatedBytesForCurrentThread();
                long jitBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
                var cpu = ReceiveCpuTime.Start();
                device.Start();
                long deadline = clock.NowNs() + (long)DrainTimeout.TotalNanoseconds;
                WaitDrained(stack, sink, sent, deadline, clock);
                cpuNs = cpu?.Elapsed();
                jitCompiled = System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore;
                seconds = span.Seconds;
            }
            else
            {
                device.Start();
                // The window is the flood: what the device's start allocated (its NAPI threads, their setup) is not.
                allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                ownBefore = GC.GetAllocatedBytesForCurrentThread();
                var cpu = ReceiveCpuTime.Start();
                long startNs = clock.NowNs();
                load.Start(startNs + options.Seconds * 1_000_000_000L, options.Rate, 0);
                LoopbackRun.ShowProgress(options.Seconds, startNs, stack, () => load.Sent, progress);
                if (!load.Stop(StopTimeout))
                    throw new RunFailedException($"a sender did not stop within {StopTimeout.TotalSeconds:F0} s of being asked to");
                seconds = (clock.NowNs() - startNs) / 1e9;
                cpuNs = cpu?.Elapsed();
                sent = load.Sent;
            }
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - (GC.GetAllocatedBytesForCurrentThread() - ownBefore);
            queues = device.QueueStats;
            protectedStats = device.ProtectedStats;
            shedEpisodes = device.ShedEpisodes;
        }
        finally
        {
            stack.Dispose();
        }
        var report = RunReport.Create(options, stack.Snapshot(), sink, sent, seconds, sent > 0 ? (double)allocated / sent : 0, cpuNs);
        return report with
        {
            Queues = queues,
            Prefill = options.Prefill,
            Overload = report.Overload! with { Protected = protectedStats, ShedEpisodes = shedEpisodes },
        };
    }

    /// <summary>
    /// Waits until every datagram was delivered or dropped. The drops are read (a whole snapshot) only while deliveries
    /// stand still: a snapshot every millisecond would cost the CPUs being measured a few kilobytes and microseconds each.
    /// </summary>
    private static void WaitDrained(NetStack stack, DeliverySink sink, long sent, long deadline, Softnet.Scheduling.IPlatform clock)
    {
        long last = -1;
        while (clock.NowNs() < deadline)
        {
            long delivered = sink.Delivered;
            if (delivered >= sent || (delivered == last && delivered + stack.Snapshot().Dropped >= sent))
                return;
            last = delivered;
            Thread.Sleep(1);
        }
    }

    private static UdpDevice OpenDevice(NetStack stack, RunOptions options, int queues, long perQueue)
    {
        long buffer = options.Prefill > 0 ? Math.Max(8L << 20, perQueue * BytesPerQueuedDatagram / 2) : 8L << 20;
        try
        {
            return UdpDevice.Open(stack, options.Overload.ApplyToDevice(new UdpDeviceOptions
            {
                Bind = new IPEndPoint(IPAddress.Loopback, 0),
                Queues = queues,
                Backend = options.Backend,
                ReceiveBufferBytes = (int)Math.Min(buffer, int.MaxValue / 2),
            }));
        }
        catch (Exception e) when (e is SocketSetupException or ArgumentException)
        {
            throw new RunFailedException(e.Message);
        }
    }

    /// <summary>Queues exactly <paramref name="count"/> datagrams while the device is not polling, or refuses when the buffers cannot hold them.</summary>
    private static long Prefill(UdpDevice device, UdpLoad load, long count, TextWriter progress)
    {
        load.Start(long.MaxValue, 0, count);
        // A large prefill takes seconds to queue: a line per second says it is filling, not hung.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!load.Join(TimeSpan.FromSeconds(1)))
        {
            if (clock.Elapsed > DrainTimeout)
                throw new RunFailedException($"the sender could not queue {count:N0} datagrams within {DrainTimeout.TotalSeconds:F0} s");
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,6:F1} s] prefill: {load.Sent,14:N0} of {count:N0} datagrams queued"));
        }
        long dropped = device.ReadSocketDrops();
        if (dropped > 0)
        {
            throw new RunFailedException(
                $"the queues' socket buffers cannot hold {count:N0} datagrams: {dropped:N0} were dropped "
                + $"(each socket got {device.ReceiveBufferBytes:N0} bytes); lower --prefill, add --queues, or run with CAP_NET_ADMIN so SO_RCVBUFFORCE works");
        }
        return load.Sent;
    }

    /// <summary>The first and last delivery times, for the drain's rate.</summary>
    private sealed class DeliverySpan(Softnet.Scheduling.IPlatform clock)
    {
        private long _first;
        private long _last;

        public double Seconds => _first == 0 ? 0 : (Volatile.Read(ref _last) - _first) / 1e9;

        public void Mark()
        {
            long now = clock.NowNs();
            Interlocked.CompareExchange(ref _first, now, 0);
            long last;
            while (now > (last = Volatile.Read(ref _last)) && Interlocked.CompareExchange(ref _last, now, last) != last)
            {
            }
        }
    }
}
