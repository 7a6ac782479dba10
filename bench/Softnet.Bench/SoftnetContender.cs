using Softnet.Core;
using Softnet.Devices;
using Softnet.Load;

namespace Softnet.Bench;

/// <summary>
/// Softnet as <c>softnet run --device loopback</c> drives it: loopback → RPS over all CPUs → backlog → the load's
/// handler, with the same load and checker (Softnet.Load) the command and the baseline use.
/// </summary>
internal sealed class SoftnetContender(KickMode mode) : IContender
{
    private const int Size = 64;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    public string Name => $"Softnet {mode.Name()}";

    public Measurement Run(BenchOptions options, int seconds)
    {
        var stackOptions = new NetStackOptions { Cpus = options.Cpus, Mode = mode, RpsCpus = "all", Log = static _ => { } };
        var clock = stackOptions.Platform;
        var sink = new DeliverySink(options.Cpus, options.Flows, clock);
        var stack = new NetStack(stackOptions, sink.Handle);
        long startNs, endNs, sent, allocated, cpuNs;
        IReadOnlyList<ThreadCpu.Share>? threads;
        try
        {
            using var load = new LoopbackLoad(new LoopbackDevice(stack), options.Producers, options.Flows, options.Rate, Size, TimeSpan.FromSeconds(seconds + 5));
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            long ownBefore = GC.GetAllocatedBytesForCurrentThread();
            var threadsBefore = options.Threads ? ThreadCpu.Take() : null;
            long cpuBefore = ProcessCpu.Ns();
            startNs = clock.NowNs();
            load.Start(startNs);
            Thread.Sleep(TimeSpan.FromSeconds(seconds));
            // Before the producers stop: their threads exit, and an exited thread's counters are gone.
            threads = threadsBefore is null ? null : ThreadCpu.Between(threadsBefore, ThreadCpu.Take());
            if (!load.Stop(StopTimeout))
                throw new InvalidOperationException($"{Name}: a producer did not stop within {StopTimeout.TotalSeconds:F0} s");
            endNs = clock.NowNs();
            cpuNs = ProcessCpu.Ns() - cpuBefore;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - (GC.GetAllocatedBytesForCurrentThread() - ownBefore);
            sent = load.Sent;
        }
        finally
        {
            stack.Dispose();
        }
        var snapshot = stack.Snapshot();
        if (sink.Delivered != snapshot.Delivered)
            throw new InvalidOperationException($"{Name}: the handler saw {sink.Delivered} packets but the stack counted {snapshot.Delivered} delivered");
        var latency = sink.Latency();
        return new Measurement(
            (endNs - startNs) / 1e9,
            sent,
            snapshot.Delivered,
            snapshot.Dropped,
            snapshot.Delivered > 0 ? (double)snapshot.Wakeups / snapshot.Delivered : 0,
            snapshot.IpiSent,
            sent > 0 ? (double)allocated / sent : 0,
            sink.OutOfOrder,
            latency.Percentile(0.50) / 1000.0,
            latency.Percentile(0.99) / 1000.0,
            cpuNs,
            threads);
    }
}
