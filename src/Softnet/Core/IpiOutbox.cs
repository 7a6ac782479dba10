namespace Softnet.Core;

/// <summary>
/// One CPU's outgoing RPS IPIs (the rps_ipi_list): targets queued during a pass, at most once each, and sent when the
/// pass ends (net_rps_send_ipi). Used only under the owning CPU's bottom half.
/// </summary>
internal sealed class IpiOutbox(int cpus)
{
    private readonly bool[] _queued = new bool[cpus];
    private readonly int[] _targets = new int[cpus];
    private int _count;

    /// <summary>No IPI is queued: the common end of a pass.</summary>
    public bool IsEmpty => _count == 0;

    public void Queue(SoftnetData target)
    {
        if (_queued[target.Cpu])
            return;
        _queued[target.Cpu] = true;
        _targets[_count++] = target.Cpu;
    }

    /// <summary>Posts every queued IPI, counted as sent by <paramref name="from"/>.</summary>
    public void Send(SoftnetData from)
    {
        for (int i = 0; i < _count; i++)
        {
            int t = _targets[i];
            _queued[t] = false;
            Interlocked.Increment(ref from.Counters.Remote.IpiSent);
            from.Stack.Cpu(t).PostRpsIpi();
        }
        _count = 0;
    }
}
