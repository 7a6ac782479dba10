namespace Softnet.Load;

/// <summary>
/// The highest sequence number seen per flow, to count packets that arrive behind a later packet of their flow.
/// Gaps are fine (dropped packets leave them); going backwards is not.
/// </summary>
/// <remarks>
/// With RPS each flow is handled by one CPU, but without it a flow follows its sender's CPU and two CPUs may deliver it
/// at once, so the update is a compare-and-swap (uncontended, hence cheap, in the usual case). Flows hash to CPUs at
/// random, so neighbouring flows belong to different CPUs: each flow gets its own cache line to keep them from
/// bouncing lines between CPUs.
/// </remarks>
public sealed class FlowOrder
{
    private const int Stride = 64 / sizeof(long);

    private readonly long[] _highest;

    /// <summary>Tracks flows 0..<paramref name="flows"/>-1, none seen yet.</summary>
    public FlowOrder(int flows)
    {
        _highest = new long[(flows + 1) * Stride];
        Array.Fill(_highest, -1);
    }

    /// <summary>Records <paramref name="sequence"/> for <paramref name="flow"/>; false when a later one was seen already.</summary>
    public bool InOrder(int flow, long sequence)
    {
        // Slot 0 is left unused so that no flow shares a line with the array's header.
        ref long highest = ref _highest[(flow + 1) * Stride];
        long seen = Volatile.Read(ref highest);
        while (sequence > seen)
        {
            long was = Interlocked.CompareExchange(ref highest, sequence, seen);
            if (was == seen)
                return true;
            seen = was;
        }
        return false;
    }
}
