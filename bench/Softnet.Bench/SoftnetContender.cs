using Softnet.Cli.Load;
using Softnet.Cli.Options;
using Softnet.Core;

namespace Softnet.Bench;

/// <summary>Softnet as <c>softnet run</c> drives it: loopback → RPS over all CPUs → backlog → the load's handler.</summary>
internal sealed class SoftnetContender(KickMode mode) : IContender
{
    public string Name => $"Softnet {mode.Name()}";

    public Measurement Run(BenchOptions options, int seconds)
    {
        var report = LoopbackRun.Execute(
            new RunOptions
            {
                Seconds = seconds,
                Device = DeviceKind.Loopback,
                Mode = mode,
                Cpus = options.Cpus,
                Producers = options.Producers,
                FlowsOption = options.Flows,
                RateOption = options.Rate,
                RpsCpusOption = "all",
            },
            TextWriter.Null);
        if (report.Violation() is { } violation)
            throw new InvalidOperationException($"{Name}: {violation}");
        return new Measurement(
            report.Seconds,
            report.Sent,
            report.Delivered,
            report.DroppedTotal,
            report.WakeupsPerPacket,
            report.IpiSent,
            report.AllocBytesPerPacket,
            report.OutOfOrder,
            report.LatencyP50Us,
            report.LatencyP99Us);
    }
}
