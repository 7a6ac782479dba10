namespace Softnet.Cli.Report.Json;

/// <summary><c>softnet serve --json</c>'s final report.</summary>
internal sealed record ServeJson(
    string Bind,
    string Mode,
    int QueueCount,
    long Received,
    long Replied,
    long TxDropped,
    IReadOnlyDictionary<string, long> Dropped,
    IReadOnlyList<QueueJson> Queues,
    OverloadJson Overload,
    ProtectedJson? Protected,
    VerdictJson Verdict,
    string SoftnetStat);
