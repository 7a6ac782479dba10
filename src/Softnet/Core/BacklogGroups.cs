namespace Softnet.Core;

/// <summary>
/// A batch's packets grouped by the CPU whose backlog they are for, each group in arrival order (a stable counting
/// sort), so a target's queue lock is taken once per group rather than once per packet. A flow has one target, so
/// per-flow order holds. One per thread, and one per CPU for the polls in its bottom half (made with the CPU, so a
/// packet thread's first poll allocates nothing); reused batch after batch; empty whenever a handler runs, so a
/// handler that injects packets on the same thread finds it free.
/// </summary>
internal sealed class BacklogGroups
{
    /// <summary>Packets grouped at most at a time; a longer batch is admitted in chunks of this size.</summary>
    public const int Chunk = 256;

    [ThreadStatic]
    private static BacklogGroups? t_groups;

    private readonly Packet[] _packets = new Packet[Chunk];
    private readonly Packet[] _sorted = new Packet[Chunk];
    private readonly int[] _cpus = new int[Chunk];
    private int[] _counts = [];
    private int[] _groupCpu = [];
    private int[] _bounds = [0];
    private Packet[] _view;
    private int _count;
    private bool _mixed;

    private BacklogGroups() => _view = _packets;

    /// <summary>Groups sized for a stack of <paramref name="cpus"/> CPUs, for one CPU's bottom half.</summary>
    internal BacklogGroups(int cpus)
        : this() => Size(cpus);

    /// <summary>Where admission records why each packet it refused was dropped, parallel to the group it was given.</summary>
    public DropReason[] Reasons { get; } = new DropReason[Chunk];

    public bool IsEmpty => _count == 0;

    public bool IsFull => _count == Chunk;

    /// <summary>This thread's groups, sized for a stack of <paramref name="cpus"/> CPUs.</summary>
    public static BacklogGroups For(int cpus)
    {
        var groups = t_groups ??= new BacklogGroups();
        if (groups._counts.Length < cpus)
            groups.Size(cpus);
        return groups;
    }

    private void Size(int cpus)
    {
        _counts = new int[cpus];
        _groupCpu = new int[cpus];
        _bounds = new int[cpus + 1];
    }

    public void Add(Packet p, int cpu)
    {
        if (_count > 0 && cpu != _cpus[0])
            _mixed = true;
        _packets[_count] = p;
        _cpus[_count++] = cpu;
    }

    /// <summary>Groups the added packets by CPU, lowest CPU first; returns how many groups there are.</summary>
    public int Sort()
    {
        if (_count == 0)
            return 0;
        _bounds[0] = 0;
        if (!_mixed)
        {
            // The common case, one target for the whole batch: no copy.
            _view = _packets;
            _groupCpu[0] = _cpus[0];
            _bounds[1] = _count;
            return 1;
        }
        var counts = _counts;
        for (int i = 0; i < _count; i++)
            counts[_cpus[i]]++;
        int groups = 0, start = 0;
        for (int cpu = 0; cpu < counts.Length; cpu++)
        {
            int n = counts[cpu];
            if (n == 0)
                continue;
            _groupCpu[groups] = cpu;
            counts[cpu] = start;
            start += n;
            _bounds[++groups] = start;
        }
        for (int i = 0; i < _count; i++)
            _sorted[counts[_cpus[i]]++] = _packets[i];
        Array.Clear(counts);
        _view = _sorted;
        return groups;
    }

    /// <summary>Group <paramref name="index"/> after <see cref="Sort"/>: the CPU it is for and its packets in arrival order.</summary>
    public Span<Packet> Group(int index, out int cpu)
    {
        cpu = _groupCpu[index];
        return _view.AsSpan(_bounds[index], _bounds[index + 1] - _bounds[index]);
    }

    /// <summary>Forgets the packets, which belong to the backlogs or the drop ledger by now.</summary>
    public void Clear()
    {
        _packets.AsSpan(0, _count).Clear();
        if (_mixed)
            _sorted.AsSpan(0, _count).Clear();
        _count = 0;
        _mixed = false;
    }
}
