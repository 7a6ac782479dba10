using System.Net;
using Microsoft.Extensions.Logging;

namespace Softnet.Hosting;

/// <summary>Softnet's messages as structured log events.</summary>
internal static partial class SoftnetLog
{
    [LoggerMessage(2, LogLevel.Error, "Packet handler failed; the batch is counted as dropped (reason handler)")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "Softnet started: {Cpus} CPUs, mode {Mode}, pinned {Pinned}")]
    public static partial void Started(ILogger logger, int cpus, string mode, bool pinned);

    [LoggerMessage(4, LogLevel.Information, "Softnet UDP device {Device} receiving on {EndPoint} with {Queues} queues")]
    public static partial void UdpStarted(ILogger logger, string device, IPEndPoint endPoint, int queues);

    [LoggerMessage(5, LogLevel.Information, "Softnet stopped: {Delivered} packets delivered, {Dropped} dropped")]
    public static partial void Stopped(ILogger logger, long delivered, long dropped);

    [LoggerMessage(6, LogLevel.Warning, "Softnet was still draining when the host's shutdown timeout ran out; what is left is counted as shutdown drops")]
    public static partial void DrainCut(ILogger logger);

    [LoggerMessage(7, LogLevel.Information, "Softnet admin endpoint on {SocketPath}")]
    public static partial void AdminStarted(ILogger logger, string socketPath);

    [LoggerMessage(8, LogLevel.Information, "Softnet metrics on http://{EndPoint}/metrics")]
    public static partial void MetricsStarted(ILogger logger, IPEndPoint endPoint);
}
