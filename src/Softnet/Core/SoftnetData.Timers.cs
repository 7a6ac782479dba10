namespace Softnet.Core;

/// <summary>The NAPI watchdogs pinned to this CPU (the hrtimers of napi_defer_hard_irqs and irq-suspend-timeout).</summary>
public sealed partial class SoftnetData
{
    private readonly Lock _timerLock = new();
    private readonly List<Napi> _timers = [];
    private long _nextTimerNs = long.MaxValue;

    /// <summary>Arms a NAPI's watchdog on this CPU (the pinned hrtimer).</summary>
    internal void ArmTimer(Napi napi, long delayNs)
    {
        long deadline = Deadline.After(Stack.Platform.NowNs(), delayNs);
        bool earlier = false;
        SoftnetData? to;
        lock (_timerLock)
        {
            to = Volatile.Read(ref _handedTo);
            if (to is null)
            {
                if (napi.TimerCpu is { } old && old != this)
                    old.CancelTimer(napi);
                if (napi.TimerCpu != this)
                    _timers.Add(napi);
                napi.TimerCpu = this;
                napi.TimerDeadlineNs = deadline;
                earlier = deadline < _nextTimerNs;
                if (earlier)
                    Volatile.Write(ref _nextTimerNs, deadline);
            }
        }
        // Armed from a stale view of an offline CPU after its watchdogs were handed over: it goes where they went.
        if (to is not null)
            to.ArmTimer(napi, delayNs);
        // Only this CPU's own softirq thread re-reads the deadline before it sleeps; anyone else must wake it.
        else if (earlier && Environment.CurrentManagedThreadId != _softirqThreadId)
            WakeSoftirq();
    }

    internal void CancelTimer(Napi napi)
    {
        lock (_timerLock)
        {
            if (napi.TimerCpu != this)
                return;
            _timers.Remove(napi);
            napi.TimerCpu = null;
        }
    }

    private void RunTimers()
    {
        long now = Stack.Platform.NowNs();
        if (now < Volatile.Read(ref _nextTimerNs))
            return;
        Napi? fire;
        do
        {
            fire = null;
            lock (_timerLock)
            {
                long next = long.MaxValue;
                for (int i = 0; i < _timers.Count; i++)
                {
                    var n = _timers[i];
                    if (fire is null && n.TimerDeadlineNs <= now)
                    {
                        fire = n;
                        _timers.RemoveAt(i--);
                        n.TimerCpu = null;
                        continue;
                    }
                    next = Math.Min(next, n.TimerDeadlineNs);
                }
                Volatile.Write(ref _nextTimerNs, fire is null ? next : Math.Min(next, now));
            }
            fire?.WatchdogFired();
        }
        while (fire is not null);
    }
}
