namespace Softnet.Core;

/// <summary>
/// The busy-poller's side of the NAPI protocol (napi_busy_loop, busy_poll_stop, napi_suspend_irqs/napi_resume_irqs):
/// an application thread owns the NAPI with SCHED | IN_BUSY_POLL, so it is the one poller, the driver's completion is
/// a no-op and the queue stays masked until the poller stops.
/// </summary>
public abstract partial class Napi
{
    /// <summary>
    /// IRQ suspension (ns, irq-suspend-timeout): while a preferring busy poller keeps finding packets, the watchdog is
    /// armed with this instead of gro_flush_timeout, so the queue's interrupt stays suspended; 0 turns it off.
    /// </summary>
    public long IrqSuspendTimeoutNs { get; set; }

    /// <summary>
    /// napi_busy_loop's grab: take SCHED | IN_BUSY_POLL if no one owns the NAPI and no disable is pending. A poller that
    /// loses and prefers busy polling sets PREFER_BUSY_POLL, so the softirq gives the NAPI up at its next full poll.
    /// </summary>
    internal bool TryBusyPollClaim(bool prefer)
    {
        int old = Volatile.Read(ref _state);
        const int owned = (int)(NapiState.Disable | NapiState.Sched | NapiState.InBusyPoll);
        int claim = (int)(NapiState.Sched | NapiState.InBusyPoll) | (prefer ? (int)NapiState.PreferBusyPoll : 0);
        if ((old & owned) == 0 && Interlocked.CompareExchange(ref _state, old | claim, old) == old)
            return true;
        if (prefer)
            SetBits(NapiState.PreferBusyPoll);
        return false;
    }

    /// <summary>
    /// One busy poll of an owned NAPI inside its CPU's bottom half. A driver that throws is logged and
    /// counts as no work; on the last poll of a stop (<paramref name="complete"/>) it is completed too, so it can be scheduled again.
    /// </summary>
    internal int BusyPollRound(in BottomHalf bh, int budget, bool complete)
    {
        int work;
        try
        {
            work = Math.Min(Poll(bh, budget), budget);
        }
        catch (Exception e)
        {
            Stack.LogOnce($"NAPI {Id} busy poll threw {e.GetType().Name}: {e.Message}");
            if (complete)
                CompleteDone(0);
            work = 0;
        }
        Interlocked.Increment(ref PollCount);
        Interlocked.Add(ref PacketCount, work);
        return work;
    }

    /// <summary>
    /// busy_poll_stop, first half: clear MISSED and IN_BUSY_POLL; a preferring poller reloads the deferral count and, when
    /// both it and gro_flush_timeout are set, arms the watchdog so the queue stays masked (returns true: skip the reschedule).
    /// </summary>
    internal bool BusyPollRelease(bool prefer)
    {
        ClearBits(NapiState.Missed | NapiState.InBusyPoll);
        if (!prefer)
            return false;
        DeferHardIrqsCount = DeferHardIrqs;
        long timeout = GroFlushTimeoutNs;
        if (DeferHardIrqsCount == 0 || timeout == 0)
            return false;
        Stack.ArmWatchdog(this, timeout);
        return true;
    }

    /// <summary>
    /// busy_poll_stop, second half, after the last poll (which lets the driver complete and unmask): a poll that used its
    /// whole budget still owns SCHED and goes to the softirq, or, when the watchdog was armed, just lets SCHED go.
    /// </summary>
    internal void BusyPollFinish(int lastWork, int budget, bool skipSchedule)
    {
        if (lastWork < budget)
            return;
        if (skipSchedule)
            ClearBits(NapiState.Sched);
        else
            Stack.ScheduleClaimed(this);
    }

    /// <summary>napi_suspend_irqs: the poller found packets; keep the interrupt suspended for irq-suspend-timeout.</summary>
    internal bool SuspendIrqs()
    {
        long timeout = IrqSuspendTimeoutNs;
        if (timeout == 0)
            return false;
        Stack.ArmWatchdog(this, timeout);
        return true;
    }

    /// <summary>napi_resume_irqs: the poller found nothing; hand the NAPI to the softirq, whose completion unmasks the queue.</summary>
    internal bool ResumeIrqs()
    {
        if (IrqSuspendTimeoutNs == 0)
            return false;
        Schedule();
        return true;
    }
}
