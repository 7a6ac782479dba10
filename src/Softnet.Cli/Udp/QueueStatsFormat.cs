using System.Globalization;
using Softnet.Cli.Report;
using Softnet.Cli.Report.Json;
using Softnet.Devices.Udp;

namespace Softnet.Cli.Udp;

/// <summary>The per-queue figures of a UDP device, as the reports of <c>run</c> and <c>serve</c> both print them.</summary>
internal static class QueueStatsFormat
{
    public static IReadOnlyList<QueueJson> ToJson(IEnumerable<UdpQueueStats> queues) =>
        [.. queues.Select(q => new QueueJson(q.Queue, q.NapiId, q.IrqCpu, q.Polls, q.Packets, q.SocketDrops))];

    public static void WriteText(TextWriter w, IEnumerable<UdpQueueStats> queues)
    {
        var table = new TextTable("queue", "napi_id", "irq_cpu", "polls", "packets", "socket_drops");
        foreach (var q in queues)
            table.Add(Id(q.Queue), Id(q.NapiId), Id(q.IrqCpu), N(q.Polls), N(q.Packets), N(q.SocketDrops));
        table.Write(w);
    }

    private static string Id(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
