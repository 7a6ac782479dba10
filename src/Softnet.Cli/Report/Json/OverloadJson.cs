namespace Softnet.Cli.Report.Json;

/// <summary>The overload policy that ran and every CPU's and queue's detector at the end.</summary>
internal sealed record OverloadJson(string Mode, double CpuShareLimit, double PeriodMs, double SliceMs, double PollAllocBytesPerPacket, long ShedEpisodes, IReadOnlyList<OverloadCpuJson> Cpus, IReadOnlyList<OverloadQueueJson> Queues);

/// <summary>One CPU's detector.</summary>
internal sealed record OverloadCpuJson(
    int Cpu, string State, long Transitions, double TimeOverloadedMs, double TimePressuredMs, double CpuShareUsed, double CpuShareMax, long Throttled);

/// <summary>One queue's detector.</summary>
internal sealed record OverloadQueueJson(
    int Queue, int NapiId, string State, long Transitions, double TimeOverloadedMs, double TimePressuredMs, double CpuShareUsed, double CpuShareMax, long HeldBack);

/// <summary>The protected queue (<c>--protect</c>): its NAPI and what it received, replied and dropped.</summary>
internal sealed record ProtectedJson(int NapiId, long Received, long Replied, long Dropped);
