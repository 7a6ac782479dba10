using System.Runtime.InteropServices;

namespace Softnet.Core;

/// <summary>
/// One CPU's counters (softnet_stat's row and the drop reasons): the ones this CPU writes while it holds its bottom
/// half are plain; the ones other CPUs write (<see cref="Remote"/>, the per-reason drops) are atomic and kept 128 bytes
/// away from anything else, so a sender on another CPU does not bounce the consumer's cache lines.
/// </summary>
internal struct CpuCounters
{
    /// <summary>Padding in longs on each side of the per-reason counters, which senders on other CPUs write (128 bytes).</summary>
    private const int DropPad = 16;

    private readonly long[] _drops;

    public CpuCounters() => _drops = new long[DropPad + DropReasons.Count + DropPad];

    // Written under the CPU's bottom half only.
    public long Processed;
    public long Delivered;
    public long TimeSqueeze;
    public long ReceivedRps;

    /// <summary>Counters other CPUs write, kept on their own cache lines, away from this CPU's plain counters and poll list.</summary>
    public RemoteCounters Remote;

    public readonly long DropCount(DropReason reason) => Volatile.Read(ref _drops[DropPad + (int)reason]);

    /// <summary>Counts <paramref name="count"/> drops under <paramref name="reason"/>, and in softnet_stat's <c>dropped</c> where the kernel counts them; safe from any thread.</summary>
    public void CountDrop(DropReason reason, long count)
    {
        Interlocked.Add(ref _drops[DropPad + (int)reason], count);
        if (reason is DropReason.Backlog or DropReason.FlowLimit)
            Interlocked.Add(ref Remote.BacklogDropped, count);
    }

    /// <summary>softnet_stat counters written by other CPUs (a sender's backlog drop, a waker's wake-up), 128 bytes from anything else.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 2 * Pad + 3 * sizeof(long))]
    internal struct RemoteCounters
    {
        private const int Pad = 128;

        /// <summary>softnet_stat's <c>dropped</c>: backlog and flow-limit drops only, unlike the snapshot's total of every reason.</summary>
        [FieldOffset(Pad)]
        public long BacklogDropped;

        [FieldOffset(Pad + sizeof(long))]
        public long IpiSent;

        [FieldOffset(Pad + (2 * sizeof(long)))]
        public long Wakeups;
    }
}
