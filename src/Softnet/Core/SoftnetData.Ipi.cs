namespace Softnet.Core;

/// <summary>The IPI handler's half: an RPS kick taken by this CPU, and the defer-list kick. The sending half is <see cref="IpiOutbox"/>.</summary>
internal sealed partial class SoftnetData
{
    private int _rpsIpiPending;
    private int _deferIpiPending;

    /// <summary>The IPI handler's half of an RPS kick: the target schedules its own backlog.</summary>
    internal void PostRpsIpi()
    {
        Volatile.Write(ref _rpsIpiPending, 1);
        Ksoftirqd.Wake();
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
        Counters.ReceivedRps++;
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
        Ksoftirqd.Wake();
        return true;
    }
}
