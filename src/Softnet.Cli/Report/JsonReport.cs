using System.Buffers;
using System.Text;
using System.Text.Json;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Cli.Report;

/// <summary>
/// The report as one JSON object. Written field by field with <see cref="Utf8JsonWriter"/>: no reflection, so the
/// output's shape is exactly what this file says and trimming has nothing to warn about.
/// </summary>
internal static class JsonReport
{
    public static void Write(RunReport r, TextWriter output)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("mode", r.Mode);
            json.WriteString("device", r.Device);
            json.WriteNumber("seconds", Math.Round(r.Seconds, 3));
            json.WriteNumber("cpu_count", r.CpuCount);
            json.WriteNumber("producers", r.Producers);
            json.WriteNumber("flows", r.Flows);
            json.WriteNumber("rate", r.Rate);
            json.WriteNumber("size", r.Size);
            json.WriteNumber("sent", r.Sent);
            json.WriteNumber("delivered", r.Delivered);
            json.WriteStartObject("dropped");
            foreach (var (reason, count) in r.Dropped)
                json.WriteNumber(reason.Name(), count);
            json.WriteEndObject();
            json.WriteNumber("pps", Math.Round(r.Pps, 1));
            json.WriteStartObject("latency_us");
            json.WriteNumber("p50", r.LatencyP50Us);
            json.WriteNumber("p99", r.LatencyP99Us);
            json.WriteNumber("p999", r.LatencyP999Us);
            json.WriteEndObject();
            json.WriteNumber("ipi_sent", r.IpiSent);
            json.WriteNumber("wakeups", r.Wakeups);
            json.WriteNumber("wakeups_per_packet", r.WakeupsPerPacket);
            json.WriteNumber("alloc_bytes_per_packet", r.AllocBytesPerPacket);
            json.WriteNumber("out_of_order", r.OutOfOrder);
            json.WriteNumber("pool_growth", r.PoolGrowth);
            json.WriteStartArray("cpus");
            foreach (var c in r.Cpus)
            {
                json.WriteStartObject();
                json.WriteNumber("cpu", c.Cpu);
                foreach (var counter in SoftnetCounters.Summary)
                    json.WriteNumber(counter.Name, counter.PerCpu!(c));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (r.Queues.Count > 0)
            {
                json.WriteNumber("prefill", r.Prefill);
                Udp.QueueStatsFormat.WriteJson(json, r.Queues);
            }
            r.Overload?.WriteJson(json, r.Queues);
            json.WriteString("softnet_stat", r.SoftnetStat);
            json.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
