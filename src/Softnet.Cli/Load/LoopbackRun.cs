using System.Globalization;
using Softnet.Cli.Options;
using Softnet.Cli.Report;
using Softnet.Core;
using Softnet.Devices;
using Softnet.Load;

namespace Softnet.Cli.Load;

/// <summary>
/// One loopback run: a stack with a loopback device and the load's handler, the producers for the requested time with
/// a progress line per second, then the stack disposed (whatever is still queued counts as a shutdown drop) and
/// every counter gathered into a <see cref="RunReport"/>.
/// </summary>
internal static class LoopbackRun
{
    /// <summary>How much longer than asked the producers may run by themselves should the stop request come late.</summary>
    private static readonly TimeSpan ProducerGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long producers get to finish their batch once asked to stop.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    public static RunReport Execute(RunOptions options, TextWriter progress)
    {
        var stackOptions = options.ToStackOptions(m => progress.WriteLine("softnet: " + m));
        var clock = stackOptions.Platform;
        var sink = new DeliverySink(options.Cpus, options.Flows, clock, options.Overload.WorkUs, options.Handler == HandlerKind.Check);
        var stack = new NetStack(stackOptions, sink.Handle);
        long startNs, endNs, sent, allocated;
        long? cpuNs;
        try
        {
            var device = new LoopbackDevice(stack);
            // Disposed (producers stopped) before the stack is, however this block is left.
            using var load = new LoopbackLoad(device, options.ProducerCount, options.Flows, options.Rate, options.Size, TimeSpan.FromSeconds(options.Seconds) + ProducerGrace);
            // The packet path's allocations are what is measured, so this thread's own (progress lines, snapshots) are taken out.
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            long ownBefore = GC.GetAllocatedBytesForCurrentThread();
            var cpu = ReceiveCpuTime.Start();
            startNs = clock.NowNs();
            load.Start(startNs);
            ShowProgress(options.Seconds, startNs, stack, () => load.Sent, progress);
            bool stopped = load.Stop(StopTimeout);
            endNs = clock.NowNs();
            cpuNs = cpu?.Elapsed();
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - (GC.GetAllocatedBytesForCurrentThread() - ownBefore);
            if (!stopped)
                throw new RunFailedException($"a producer did not stop within {StopTimeout.TotalSeconds:F0} s of being asked to");
            sent = load.Sent;
        }
        finally
        {
            stack.Dispose();
        }
        return RunReport.Create(options, stack.Snapshot(), sink, sent, (endNs - startNs) / 1e9, sent > 0 ? (double)allocated / sent : 0, cpuNs);
    }

    /// <summary>Sleeps through the load one second at a time, printing what the last second offered and delivered.</summary>
    internal static void ShowProgress(int seconds, long startNs, NetStack stack, Func<long> sentSoFar, TextWriter progress)
    {
        var clock = stack.Platform;
        long lastSent = 0, lastDelivered = 0, lastNs = startNs;
        for (int second = 1; second <= seconds; second++)
        {
            long tickNs = startNs + second * 1_000_000_000L;
            long waitNs = tickNs - clock.NowNs();
            if (waitNs > 0)
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Ceiling(waitNs / 1e6)));
            long nowNs = clock.NowNs();
            long sent = sentSoFar();
            var snapshot = stack.Snapshot();
            double interval = (nowNs - lastNs) / 1e9;
            progress.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"[{(nowNs - startNs) / 1e9,6:F1} s] offered {(sent - lastSent) / interval,14:N0} pps  delivered {(snapshot.Delivered - lastDelivered) / interval,14:N0} pps  dropped {snapshot.Dropped,12:N0} so far"));
            lastSent = sent;
            lastDelivered = snapshot.Delivered;
            lastNs = nowNs;
        }
    }
}
