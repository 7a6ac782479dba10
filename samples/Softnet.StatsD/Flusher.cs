using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Softnet.Hosting;

namespace Softnet.StatsD;

/// <summary>
/// Ends a flush interval every <see cref="StatsDOptions.FlushInterval"/>: the aggregates go to the Prometheus export
/// and the flush log, and a summary line to the logger. It is registered before Softnet, so it stops after the stack
/// has drained and its last flush includes every datagram that was queued at shutdown.
/// </summary>
public sealed partial class Flusher(Aggregator aggregator, PrometheusExport export, FlushLog flushLog, StatsDOptions options, ILogger<Flusher> logger, TimeProvider time)
    : BackgroundService
{
    private readonly Lock _flushing = new();

    /// <summary>Ends the current interval now (the timer keeps its schedule).</summary>
    public FlushResult FlushNow()
    {
        lock (_flushing)
        {
            var flush = aggregator.Flush(time.GetUtcNow());
            export.Apply(flush);
            flushLog.Write(flush);
            Flushed(logger, flush.Counters.Count, flush.Gauges.Count, flush.Timers.Count, flush.Sets.Count, flush.Stats.Lines, flush.Stats.Dropped);
            return flush;
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        FlushNow();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                FlushNow();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync makes the last flush once the stack has drained.
        }
    }

    [LoggerMessage(1, LogLevel.Information, "flush: {Counters} counters, {Gauges} gauges, {Timers} timers, {Sets} sets; {Lines} lines aggregated and {Dropped} dropped since start")]
    private static partial void Flushed(ILogger logger, int counters, int gauges, int timers, int sets, long lines, long dropped);
}
