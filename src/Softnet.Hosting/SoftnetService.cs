using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Hosting;

/// <summary>
/// The stack and its UDP device as a hosted service: started with the host, and on shutdown stopped with a drain
/// (every queued packet delivered or counted) bounded by the host's shutdown timeout. Resolve it to reach the running
/// <see cref="Stack"/> and <see cref="Udp"/> device.
/// </summary>
public sealed class SoftnetService : IHostedService, IDisposable
{
    private readonly SoftnetOptions _options;
    private readonly IPacketBatchHandler _handler;
    private readonly ILogger<SoftnetService> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeSpan _hostShutdownTimeout;
    private readonly IMeterFactory? _meterFactory;
    private NetStack? _stack;

    /// <summary>Created by dependency injection; see <see cref="SoftnetServiceCollectionExtensions"/>.</summary>
    public SoftnetService(IOptions<SoftnetOptions> options, IPacketBatchHandler handler, ILoggerFactory loggerFactory, IOptions<HostOptions> hostOptions, IMeterFactory? meterFactory = null)
    {
        _meterFactory = meterFactory;
        _options = options.Value;
        _handler = handler;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SoftnetService>();
        _hostShutdownTimeout = hostOptions.Value.ShutdownTimeout;
    }

    /// <summary>The running stack; after the host stops, its counters are final.</summary>
    public NetStack Stack => _stack ?? throw new InvalidOperationException("Softnet has not started yet: the stack exists once the host has started");

    /// <summary>The UDP device, when the <c>Udp</c> section is configured.</summary>
    public UdpDevice? Udp { get; private set; }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var (stackOptions, udpOptions, threaded, _, failures) = SoftnetOptionsResolver.Resolve(_options);
        if (failures.Count > 0)
            throw new OptionsValidationException(SoftnetOptions.SectionName, typeof(SoftnetOptions), failures);
        var drain = stackOptions.ShutdownDrainTimeout < _hostShutdownTimeout ? stackOptions.ShutdownDrainTimeout : _hostShutdownTimeout;
        var handler = _handler;
        var stack = new NetStack(
            stackOptions with
            {
                ShutdownDrainTimeout = drain,
                LoggerFactory = _loggerFactory,
                OnHandlerError = ex => SoftnetLog.HandlerFailed(_logger, ex),
                // The stack's Softnet meter comes from the host's factory, so OpenTelemetry's AddMeter("Softnet") sees it.
                MeterFactory = _meterFactory,
            },
            (batch, cpu) => handler.Handle(batch, new PacketContext(this, cpu)));
        try
        {
            if (udpOptions is not null)
            {
                var udp = UdpDevice.Open(stack, udpOptions);
                udp.Start();
                if (threaded != ThreadedMode.Disabled)
                    udp.SetThreaded(threaded);
                Udp = udp;
                SoftnetLog.UdpStarted(_logger, udp.Name, udp.LocalEndPoint, udp.QueueCount);
            }
        }
        catch
        {
            stack.Dispose();
            throw;
        }

        _stack = stack;
        SoftnetLog.Started(_logger, stack.CpuCount, stack.Mode.Name(), stack.Pinned);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stack is not { } stack)
            return;
        var stopping = Task.Run(stack.Dispose, CancellationToken.None);
        try
        {
            await stopping.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            SoftnetLog.DrainCut(_logger);
            return;
        }

        var snapshot = stack.Snapshot();
        SoftnetLog.Stopped(_logger, snapshot.Delivered, snapshot.Dropped);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stack?.Dispose();
    }
}
