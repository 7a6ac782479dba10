namespace Softnet.Core;

/// <summary>
/// One batch's frees of packets other CPUs own, chained per owner (through <see cref="Packet.Next"/>, in free order)
/// so each owner's defer list takes the batch's packets in one push. Scratch of one CPU, used under its bottom half.
/// </summary>
internal sealed class DeferChains(int cpus)
{
    private readonly Packet?[] _heads = new Packet?[cpus];
    private readonly Packet?[] _tails = new Packet?[cpus];
    private readonly int[] _counts = new int[cpus];
    private int _first = cpus;
    private int _last = -1;

    public bool IsEmpty => _last < 0;

    /// <summary>Chains <paramref name="p"/>, reset, behind its owner's earlier packets of this batch.</summary>
    public void Add(Packet p)
    {
        int cpu = p.Owner.Cpu;
        if (_tails[cpu] is { } tail)
            tail.Next = p;
        else
            _heads[cpu] = p;
        _tails[cpu] = p;
        _counts[cpu]++;
        _first = Math.Min(_first, cpu);
        _last = Math.Max(_last, cpu);
    }

    /// <summary>Takes the next owner's chain from <paramref name="cpu"/> on, lowest CPU first; false (and empty) when none is left.</summary>
    public bool Take(ref int cpu, out Packet head, out Packet tail, out int count)
    {
        for (cpu = Math.Max(cpu, _first); cpu <= _last; cpu++)
        {
            if (_heads[cpu] is not { } h)
                continue;
            head = h;
            tail = _tails[cpu]!;
            count = _counts[cpu];
            _heads[cpu] = null;
            _tails[cpu] = null;
            _counts[cpu] = 0;
            cpu++;
            return true;
        }
        _first = _heads.Length;
        _last = -1;
        head = tail = null!;
        count = 0;
        return false;
    }
}
