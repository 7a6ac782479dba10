using Softnet.Scheduling;

namespace Softnet.Simulation.Platform;

/// <summary>
/// A stack thread's sleep on a controlled monitor, with the sticky permit of <see cref="IWaiter"/>. A timed wait ends
/// when the virtual clock passes its deadline (the scheduler decides when that happens, relative to everything else).
/// </summary>
internal class SimWaiter(SimClock clock) : IWaiter
{
    private bool _permit;
    private bool _timedOut;

    protected object Gate { get; } = new();

    /// <summary>Inside <see cref="Wait"/> and not yet woken; read and written under <see cref="Gate"/>.</summary>
    protected bool Asleep { get; set; }

    public long DeadlineNs { get; private set; } = long.MaxValue;

    public void Wait(long timeoutNs)
    {
        lock (Gate)
        {
            while (true)
            {
                if (_permit)
                {
                    _permit = false;
                    break;
                }
                if (CollectFired() || timeoutNs == 0 || _timedOut)
                    break;
                if (timeoutNs > 0 && DeadlineNs == long.MaxValue)
                {
                    DeadlineNs = clock.Peek + timeoutNs;
                    clock.AddTimed(this);
                }
                Asleep = true;
                Monitor.Wait(Gate);
                Asleep = false;
            }
            if (DeadlineNs != long.MaxValue)
                clock.RemoveTimed(this);
            DeadlineNs = long.MaxValue;
            _timedOut = false;
        }
        DispatchFired();
    }

    public bool Wake()
    {
        lock (Gate)
        {
            _permit = true;
            return WakeIfAsleep();
        }
    }

    /// <summary>The clock passed this wait's deadline.</summary>
    public void TimeOut()
    {
        lock (Gate)
        {
            _timedOut = true;
            WakeIfAsleep();
        }
    }

    public void Dispose()
    {
    }

    /// <summary>Under <see cref="Gate"/>: collects interrupts to run once the wait ends; true when there are any.</summary>
    protected virtual bool CollectFired() => false;

    /// <summary>Runs the collected interrupts on the waiting thread, outside <see cref="Gate"/>, as epoll's caller does.</summary>
    protected virtual void DispatchFired()
    {
    }

    /// <summary>Under <see cref="Gate"/>.</summary>
    protected bool WakeIfAsleep()
    {
        if (!Asleep)
            return false;
        Asleep = false;
        Monitor.Pulse(Gate);
        return true;
    }
}
