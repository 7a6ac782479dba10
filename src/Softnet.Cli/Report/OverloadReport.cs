using System.Globalization;
using System.Text.Json;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Diagnostics;
using Softnet.Overload;

namespace Softnet.Cli.Report;

/// <summary>
/// The reports' <c>overload</c> part: the policy that ran, and per CPU and per queue the state at the end, the
/// transitions, the time spent overloaded and the CPU share polling used (average over the run, highest period); the
/// times shedding started; and the reports' <c>protected</c> part, the protected queue's received, replied and dropped.
/// </summary>
internal sealed record OverloadReport(
    string Mode, int CpuShareLimit, double PeriodMs, IReadOnlyList<CpuStat> Cpus, UdpProtectedStats? Protected = null, long ShedEpisodes = 0)
{
    public static OverloadReport From(NetStackOptions options, SoftnetSnapshot snapshot, UdpProtectedStats? protectedStats = null, long shedEpisodes = 0) =>
        new(options.Overload.Name(), options.OverloadCpuShare, options.OverloadPeriod.TotalMilliseconds, snapshot.Cpus, protectedStats, shedEpisodes);

    public void WriteJson(Utf8JsonWriter json, IReadOnlyList<UdpQueueStats> queues)
    {
        json.WriteStartObject("overload");
        json.WriteString("mode", Mode);
        json.WriteNumber("cpu_share_limit", CpuShareLimit / 100.0);
        json.WriteNumber("period_ms", PeriodMs);
        json.WriteNumber("shed_episodes", ShedEpisodes);
        json.WriteStartArray("cpus");
        foreach (var c in Cpus)
        {
            json.WriteStartObject();
            json.WriteNumber("cpu", c.Cpu);
            Fields(json, c.Overload);
            json.WriteNumber("throttled", c.Overload.Throttled);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("queues");
        foreach (var q in queues)
        {
            json.WriteStartObject();
            json.WriteNumber("queue", q.Queue);
            json.WriteNumber("napi_id", q.NapiId);
            Fields(json, q.Overload);
            json.WriteNumber("held_back", q.HeldBack);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        if (Protected is { } p)
        {
            json.WriteStartObject("protected");
            json.WriteNumber("napi_id", p.NapiId);
            json.WriteNumber("received", p.Received);
            json.WriteNumber("replied", p.Replied);
            json.WriteNumber("dropped", p.Dropped);
            json.WriteEndObject();
        }
    }

    public void WriteText(TextWriter w, IReadOnlyList<UdpQueueStats> queues)
    {
        w.WriteLine($"overload: {Mode}" + (Mode == "auto" ? $", CPU budget {CpuShareLimit}% of {PeriodMs.ToString(CultureInfo.InvariantCulture)} ms" : ""));
        w.WriteLine("        state  transitions  overloaded_ms  cpu_share_used  cpu_share_max  throttled");
        foreach (var c in Cpus)
            Row(w, $"cpu {c.Cpu}", c.Overload, c.Overload.Throttled.ToString(CultureInfo.InvariantCulture));
        foreach (var q in queues)
            Row(w, $"q {q.Queue}", q.Overload, "-");
        if (ShedEpisodes > 0)
            w.WriteLine($"shedding started {ShedEpisodes:N0} times");
        if (Protected is { } p)
            w.WriteLine($"protected: received {p.Received:N0}, replied {p.Replied:N0}, dropped {p.Dropped:N0}");
    }

    private static void Fields(Utf8JsonWriter json, OverloadInfo o)
    {
        json.WriteString("state", o.State.Name());
        json.WriteNumber("transitions", o.Transitions);
        json.WriteNumber("time_overloaded_ms", Math.Round(o.OverloadedNs / 1e6, 3));
        json.WriteNumber("time_pressured_ms", Math.Round(o.PressuredNs / 1e6, 3));
        json.WriteNumber("cpu_share_used", Math.Round(o.CpuShareUsed, 4));
        json.WriteNumber("cpu_share_max", Math.Round(o.CpuShareMax, 4));
    }

    private static void Row(TextWriter w, string name, OverloadInfo o, string throttled) =>
        w.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-6}{o.State.Name(),12}{o.Transitions,13}{o.OverloadedNs / 1e6,15:F1}{o.CpuShareUsed,16:P1}{o.CpuShareMax,15:P1}{throttled,11}"));
}
