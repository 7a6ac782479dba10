using Softnet.Interop;

namespace Softnet.Devices.Udp;

/// <summary>
/// Waits until every datagram the kernel's receive path is handling has reached its socket. Socket lookup, reuseport
/// selection, the socket filter and the enqueue run in one RCU read-side section (softirq), so once a grace period
/// has passed after a change of steering or filter, no datagram chosen under the old rules is still on its way.
/// </summary>
internal static class ReceiveGrace
{
    /// <summary>Longer than any in-flight loopback delivery takes, for kernels where membarrier cannot wait out a grace period.</summary>
    private static readonly TimeSpan Fallback = TimeSpan.FromMilliseconds(50);

    public static void Wait()
    {
        // MEMBARRIER_CMD_GLOBAL is synchronize_rcu(): exact, and usually far shorter than the fallback.
        if (Membarrier.Global() != 0)
            Thread.Sleep(Fallback);
    }
}
