using System.Collections.Concurrent;
using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

/// <summary>Real (pinned, epoll-driven) two-CPU stacks for the device scenarios.</summary>
internal static class UdpStacks
{
    /// <summary>What the stacks logged, for failure messages.</summary>
    public static readonly ConcurrentQueue<string> Log = new();

    public static NetStackOptions Options(KickMode mode = KickMode.Softirq, string rps = "") => new()
    {
        Cpus = 2,
        Mode = mode,
        RpsCpus = rps,
        Log = Log.Enqueue,
    };

    public static NetStack Create(PacketHandler handler, KickMode mode = KickMode.Softirq, string rps = "") =>
        new(Options(mode, rps), handler);
}
