using System.Text.Json;
using Softnet.Cli.Report.Json;
using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Cli.Udp;

/// <summary><c>softnet serve</c>'s final report: received, replied, drops by reason, per-queue figures and softnet_stat.</summary>
internal sealed record ServeReport(
    string Bind,
    string Mode,
    int Queues,
    long Received,
    long Delivered,
    long Replied,
    long TxDropped,
    IReadOnlyDictionary<DropReason, long> Dropped,
    IReadOnlyList<UdpQueueStats> QueueStats,
    string SoftnetStat,
    Report.OverloadReport Overload)
{
    /// <summary>The handler saw exactly what the stack says it delivered.</summary>
    public string? Violation() =>
        Received == Delivered ? null : $"the handler counted {Received} datagrams but the stack delivered {Delivered}";

    public void WriteText(TextWriter w)
    {
        w.WriteLine($"softnet serve: {Bind}, {Mode} mode, {Queues} queues");
        w.WriteLine($"received    {Received:N0}");
        w.WriteLine($"replied     {Replied:N0}");
        w.WriteLine($"tx_dropped  {TxDropped:N0}");
        w.WriteLine($"dropped     {Dropped.Values.Sum():N0}");
        foreach (var (reason, count) in Dropped)
            w.WriteLine($"  {reason.Name(),-12}{count:N0}");
        w.WriteLine();
        var verdict = Report.Verdict.OfServer(Received, Delivered, Dropped);
        w.WriteLine($"verdict: accounting {verdict.Accounting}");
        w.WriteLine($"         drops: {verdict.Drops}");
        w.WriteLine();
        QueueStatsFormat.WriteText(w, QueueStats);
        w.WriteLine();
        Overload.WriteText(w, QueueStats);
        w.WriteLine();
        w.WriteLine("softnet_stat:");
        w.Write(SoftnetStat);
    }

    public void WriteJson(TextWriter w) => w.WriteLine(JsonSerializer.Serialize(
        new ServeJson(Bind, Mode, Queues, Received, Replied, TxDropped, Report.JsonReport.Dropped(Dropped), QueueStatsFormat.ToJson(QueueStats), Overload.ToJson(QueueStats), Overload.ProtectedToJson(), Report.Verdict.OfServer(Received, Delivered, Dropped), SoftnetStat),
        ReportJsonContext.Default.ServeJson));
}
