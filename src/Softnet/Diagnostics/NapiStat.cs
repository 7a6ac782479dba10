using Softnet.Core;
using Softnet.Overload;

namespace Softnet.Diagnostics;

/// <summary>One NAPI's figures at a snapshot: identity, polls and packets, how it is polled, and its overload detector.</summary>
public readonly record struct NapiStat(
    int Id,
    string IfName,
    int IfIndex,
    long Polls,
    long Packets,
    ThreadedMode Threaded,
    int? ThreadId,
    OverloadInfo Overload = default);
