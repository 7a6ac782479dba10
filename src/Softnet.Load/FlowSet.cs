namespace Softnet.Load;

/// <summary>
/// The flows one producer owns — every flow id ≡ producer (mod producers), so producers never share a flow and each
/// flow's sequence numbers come from one thread — visited round-robin, with each flow's hash and next sequence number.
/// </summary>
public sealed class FlowSet
{
    private readonly int[] _flows;
    private readonly uint[] _hashes;
    private readonly long[] _nextSequence;
    private int _cursor;

    /// <summary>The flows of producer <paramref name="producer"/> of <paramref name="producers"/>: every producers-th of <paramref name="flows"/>, starting at its own index.</summary>
    public FlowSet(int producer, int producers, int flows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(producer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(producer, producers);
        ArgumentOutOfRangeException.ThrowIfLessThan(flows, producers);
        _flows = new int[(flows - producer + producers - 1) / producers];
        for (int i = 0; i < _flows.Length; i++)
            _flows[i] = producer + i * producers;
        _hashes = Array.ConvertAll(_flows, FlowHash.Of);
        _nextSequence = new long[_flows.Length];
    }

    /// <summary>The next flow in turn with its hash, and the sequence number its next packet carries.</summary>
    public int Next(out uint hash, out long sequence)
    {
        int i = _cursor;
        _cursor = i + 1 == _flows.Length ? 0 : i + 1;
        hash = _hashes[i];
        sequence = _nextSequence[i]++;
        return _flows[i];
    }
}
