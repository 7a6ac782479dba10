using System.Runtime.CompilerServices;

namespace Softnet.Load;

/// <summary>
/// What one CPU's deliveries add up to. Written by one thread at a time (whoever delivers for the CPU), read by the
/// progress line while the load runs and by the report after it.
/// </summary>
internal struct CpuTally
{
    public LatencyHistogram Latency;
    public long Delivered;
    public long OutOfOrder;

    // Tallies sit side by side in an array and are written from different CPUs: the padding keeps each one's hot
    // fields off its neighbours' cache lines (the struct is 128 bytes).
    private Padding _padding;

    [InlineArray(13)]
    private struct Padding
    {
        private long _element;
    }
}
