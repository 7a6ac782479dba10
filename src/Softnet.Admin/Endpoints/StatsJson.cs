using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Softnet.Admin.Contract;
using Softnet.Admin.Http;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Admin.Endpoints;

/// <summary>
/// A snapshot of the stack's counters as the <c>/stats</c> JSON (the shape of <see cref="StatsInfo"/>, which clients
/// read it into), written field by field into the response. Admin clients poll this, and what a request leaves to the
/// garbage collector brings collections that stop the packet threads: building the record graph and serializing it
/// cost twice the snapshot itself.
/// </summary>
internal static class StatsJson
{
    /// <summary>One writer per thread, pointed at each response in turn: the writing is synchronous, so no two responses share one.</summary>
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private static readonly JsonWriterOptions Options = new() { Encoder = ServerJson.Context.Options.Encoder };

    public static Task WriteStatsAsync(HttpResponse response, SoftnetSnapshot snapshot) => SendAsync(response, WriteStats, snapshot);

    public static Task WriteCpuAsync(HttpResponse response, CpuStat cpu) => SendAsync(response, WriteCpu, cpu);

    private static async Task SendAsync<T>(HttpResponse response, Action<Utf8JsonWriter, T> write, T value)
    {
        response.ContentType = "application/json; charset=utf-8";
        var writer = t_writer ??= new Utf8JsonWriter(response.BodyWriter, Options);
        writer.Reset(response.BodyWriter);
        try
        {
            write(writer, value);
            writer.Flush();
        }
        finally
        {
            // The thread keeps the writer, not the response's pipe.
            writer.Reset(Stream.Null);
        }
        await response.BodyWriter.FlushAsync();
    }

    private static void WriteStats(Utf8JsonWriter w, SoftnetSnapshot s)
    {
        w.WriteStartObject();
        w.WriteStartArray("cpus");
        foreach (var c in s.Cpus)
            WriteCpu(w, c);
        w.WriteEndArray();
        w.WriteStartObject("drops");
        foreach (var (reason, count) in s.Drops)
            w.WriteNumber(reason.Name(), count);
        w.WriteEndObject();
        w.WriteNumber("processed", s.Processed);
        w.WriteNumber("delivered", s.Delivered);
        w.WriteNumber("dropped", s.Dropped);
        w.WriteNumber("ipi_sent", s.IpiSent);
        w.WriteNumber("wakeups", s.Wakeups);
        w.WriteNumber("pool_growth", s.PoolGrowth);
        w.WriteStartArray("napis");
        foreach (var n in s.Napis)
            WriteNapi(w, n);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A CPU's row as <see cref="CpuStatsInfoConverter"/> reads it: one flat object, its counters in table order.</summary>
    private static void WriteCpu(Utf8JsonWriter w, CpuStat c)
    {
        w.WriteStartObject();
        w.WriteNumber("cpu", c.Cpu);
        w.WriteBoolean("online", c.Online);
        foreach (var counter in SoftnetCounters.CpuRow)
            w.WriteNumber(counter.Name, counter.PerCpu!(c));
        w.WritePropertyName("overload");
        JsonSerializer.Serialize(w, Overloads.Describe(c.Overload, cpu: true), ServerJson.Context.OverloadStatusInfo);
        w.WriteEndObject();
    }

    /// <summary>A NAPI's row as <see cref="NapiStatsInfo"/>.</summary>
    private static void WriteNapi(Utf8JsonWriter w, NapiStat n)
    {
        w.WriteStartObject();
        w.WriteNumber("id", n.Id);
        w.WriteString("ifname", n.IfName);
        w.WriteStartObject("counters");
        foreach (var counter in SoftnetCounters.NapiRow)
            w.WriteNumber(counter.Name, counter.PerNapi!(n));
        w.WriteEndObject();
        w.WriteString("threaded", n.Threaded.Name());
        if (n.ThreadId is { } pid)
            w.WriteNumber("pid", pid);
        if (ThreadStates.Of(n.ThreadId) is { } state)
            w.WriteString("thread_state", state);
        w.WriteEndObject();
    }
}
