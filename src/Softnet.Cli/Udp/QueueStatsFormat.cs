using System.Globalization;
using System.Text.Json;
using Softnet.Devices.Udp;

namespace Softnet.Cli.Udp;

/// <summary>The per-queue figures of a UDP device, as the reports of <c>run</c> and <c>serve</c> both print them.</summary>
internal static class QueueStatsFormat
{
    public static void WriteJson(Utf8JsonWriter json, IEnumerable<UdpQueueStats> queues)
    {
        json.WriteStartArray("queues");
        foreach (var q in queues)
        {
            json.WriteStartObject();
            json.WriteNumber("queue", q.Queue);
            json.WriteNumber("napi_id", q.NapiId);
            json.WriteNumber("irq_cpu", q.IrqCpu);
            json.WriteNumber("polls", q.Polls);
            json.WriteNumber("packets", q.Packets);
            json.WriteNumber("socket_drops", q.SocketDrops);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    public static void WriteText(TextWriter w, IEnumerable<UdpQueueStats> queues)
    {
        w.WriteLine("queue  napi_id  irq_cpu       polls     packets  socket_drops");
        foreach (var q in queues)
            w.WriteLine($"{q.Queue,5}  {q.NapiId,7}  {q.IrqCpu,7}  {N(q.Polls),10}  {N(q.Packets),10}  {N(q.SocketDrops),12}");
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
