using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Softnet.Load;

/// <summary>
/// <c>--work-us</c>: an application cost of N µs per datagram, spun on the monotonic clock in the handler. On a
/// loopback machine the sender tops out long before a real receiver would, so the receiver is made slower instead.
/// </summary>
public readonly struct SyntheticWork(int microseconds)
{
    private readonly long _ticksPerDatagram = microseconds * Stopwatch.Frequency / 1_000_000;

    /// <summary>Spins the configured cost for <paramref name="datagrams"/> datagrams.</summary>
    /// <remarks>Optimised at its first call: its loop would otherwise be compiled for on-stack replacement on the packet
    /// thread that runs the handler, in the middle of a flood.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int datagrams)
    {
        if (_ticksPerDatagram == 0)
            return;
        long end = Stopwatch.GetTimestamp() + (_ticksPerDatagram * datagrams);
        while (Stopwatch.GetTimestamp() < end)
            Thread.SpinWait(4);
    }
}
