namespace Softnet.Core;

/// <summary>
/// The NAPI watchdogs pinned to one CPU (the hrtimers of napi_defer_hard_irqs and irq-suspend-timeout): armed from
/// any thread, fired by the CPU's softirq thread, handed over with the rest of the CPU's work when it goes offline.
/// </summary>
internal sealed class NapiWatchdogs(SoftnetData cpu)
{
    private readonly Lock _lock = new();
    private readonly List<Napi> _armed = [];
    private long _nextNs = long.MaxValue;

    /// <summary>The earliest armed deadline; <see cref="long.MaxValue"/> when none is armed.</summary>
    public long NextDeadlineNs => Volatile.Read(ref _nextNs);

    /// <summary>Arms <paramref name="napi"/>'s watchdog on this CPU (the pinned hrtimer), moving it from wherever it was armed.</summary>
    public void Arm(Napi napi, long delayNs)
    {
        long deadline = Deadline.After(cpu.Stack.Platform.NowNs(), delayNs);
        bool earlier = false;
        SoftnetData? to;
        lock (_lock)
        {
            to = cpu.HandedTo;
            if (to is null)
            {
                if (napi.TimerCpu is { } old && old != cpu)
                    old.Watchdogs.Cancel(napi);
                if (napi.TimerCpu != cpu)
                    _armed.Add(napi);
                napi.TimerCpu = cpu;
                napi.TimerDeadlineNs = deadline;
                earlier = deadline < _nextNs;
                if (earlier)
                    Volatile.Write(ref _nextNs, deadline);
            }
        }
        // Armed from a stale view of an offline CPU after its watchdogs were handed over: it goes where they went.
        if (to is not null)
            to.Watchdogs.Arm(napi, delayNs);
        // Only this CPU's own softirq thread re-reads the deadline before it sleeps; anyone else must wake it.
        else if (earlier && !cpu.Ksoftirqd.IsCurrent)
            cpu.Ksoftirqd.Wake();
    }

    public void Cancel(Napi napi)
    {
        lock (_lock)
        {
            if (napi.TimerCpu != cpu)
                return;
            _armed.Remove(napi);
            napi.TimerCpu = null;
        }
    }

    /// <summary>Fires every expired watchdog, one at a time outside the lock. Runs on the CPU's softirq thread under its bottom half.</summary>
    public void Run()
    {
        long now = cpu.Stack.Platform.NowNs();
        if (now < Volatile.Read(ref _nextNs))
            return;
        Napi? fire;
        do
        {
            fire = null;
            lock (_lock)
            {
                long next = long.MaxValue;
                for (int i = 0; i < _armed.Count; i++)
                {
                    var n = _armed[i];
                    if (fire is null && n.TimerDeadlineNs <= now)
                    {
                        fire = n;
                        _armed.RemoveAt(i--);
                        n.TimerCpu = null;
                        continue;
                    }
                    next = Math.Min(next, n.TimerDeadlineNs);
                }
                Volatile.Write(ref _nextNs, fire is null ? next : Math.Min(next, now));
            }
            fire?.WatchdogFired();
        }
        while (fire is not null);
    }

    /// <summary>
    /// Re-arms every armed watchdog on <paramref name="to"/> with its remaining time (dev_cpu_dead). Called after the
    /// CPU's hand-over target is set, so an <see cref="Arm"/> racing with this one forwards instead of arming here.
    /// </summary>
    public void HandOverTo(SoftnetData to)
    {
        Napi[] armed;
        lock (_lock)
        {
            armed = [.. _armed];
            foreach (var napi in armed)
                napi.TimerCpu = null;
            _armed.Clear();
            Volatile.Write(ref _nextNs, long.MaxValue);
        }
        long now = cpu.Stack.Platform.NowNs();
        foreach (var napi in armed)
            to.Watchdogs.Arm(napi, Math.Max(0, napi.TimerDeadlineNs - now));
    }
}
