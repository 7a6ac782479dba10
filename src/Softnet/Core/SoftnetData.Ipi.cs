namespace Softnet.Core;

/// <summary>The IPI outbox: RPS kicks queued during a pass and sent at its end (rps_ipi_list, net_rps_send_ipi), the IPI handler's half, and the defer-list kick.</summary>
public sealed partial class SoftnetData
{
    private readonly bool[] _ipiTargets;
    private readonly int[] _ipiList;
    private int _ipiCount;
    private int _rpsIpiPending;
    private int _deferIpiPending;

    /// <summary>The IPI handler's half of an RPS kick: the target schedules its own backlog.</summary>
    internal void PostRpsIpi()
    {
        Volatile.Write(ref _rpsIpiPending, 1);
        WakeSoftirq();
    }

    /// <summary>The IPI handler: an RPS kick schedules this CPU's backlog (received_rps). Caller holds <see cref="Bh"/>.</summary>
    private void TakeRpsIpi()
    {
        if (Volatile.Read(ref _rpsIpiPending) == 0)
            return;
        // Offline: a pass that runs here anyway (a thread that passed the park check before the CPU went) leaves the
        // kick for the CPU's return; taken now, it would list the backlog on a closed list and be lost. The kick may be
        // real already while SetCpuOnline waits for the stand-in: the flows are steered back before the list reopens.
        if (Volatile.Read(ref _handedTo) is not null || Interlocked.Exchange(ref _rpsIpiPending, 0) == 0)
            return;
        ReceivedRps++;
        // Only a claim that is still owed: a sender preempted between its enqueue and its IPI may post it after CPU
        // hotplug handed the claim over with the packets; listing the backlog then would put it on the poll list
        // without SCHED, or twice once a local enqueue has claimed and listed it again.
        if (Backlog.TakeIpiClaim())
            ListNoRaise(Backlog);
    }

    /// <summary>A defer-list kick in softirq mode: one outstanding IPI at a time.</summary>
    internal bool PostDeferIpi()
    {
        if (Interlocked.CompareExchange(ref _deferIpiPending, 1, 0) != 0)
            return false;
        WakeSoftirq();
        return true;
    }

    /// <summary>Queues an RPS IPI to <paramref name="target"/> until the end of this CPU's current pass (the rps_ipi_list).</summary>
    internal void QueueIpi(SoftnetData target)
    {
        if (_ipiTargets[target.Cpu])
            return;
        _ipiTargets[target.Cpu] = true;
        _ipiList[_ipiCount++] = target.Cpu;
    }

    internal void SendPendingIpis()
    {
        for (int i = 0; i < _ipiCount; i++)
        {
            int t = _ipiList[i];
            _ipiTargets[t] = false;
            Interlocked.Increment(ref Remote.IpiSent);
            Stack.Cpu(t).PostRpsIpi();
        }
        _ipiCount = 0;
    }
}
