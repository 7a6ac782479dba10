using Softnet.Core;
using Softnet.Simulation.Checks;

namespace Softnet.Simulation.Devices;

/// <summary>
/// A NAPI whose "queue" is a work counter: schedulers add work, then call <see cref="Napi.Schedule"/>, as a driver
/// does from a doorbell that is never masked. Every unit added before a poll reads the counter is that poll's to do;
/// one added during a poll is covered only by MISSED forcing another round.
/// </summary>
internal sealed class WorkNapi(NetStack stack, int weight, Invariants invariants) : Napi(stack, weight)
{
    private long _added;
    private long _done;
    private long _schedules;
    private long _polls;
    private int _inPoll;
    private bool _disabled;

    public long Added => Volatile.Read(ref _added);

    public long Done => Volatile.Read(ref _done);

    /// <summary>Polls that throw before doing anything (the core completes the NAPI and, MISSED set, polls it again).</summary>
    public int ThrowNext { get; set; }

    /// <summary>Schedule calls made (each may claim, or collapse into one MISSED).</summary>
    public long Schedules => Volatile.Read(ref _schedules);

    /// <summary>Polls that started.</summary>
    public long PollsStarted => Volatile.Read(ref _polls);

    /// <summary>A schedule the core makes itself (switching to busy-poll starts the thread spinning).</summary>
    public void CountCoreSchedule() => Interlocked.Increment(ref _schedules);

    public void Add() => Interlocked.Increment(ref _added);

    /// <summary>napi_schedule, counted: no poll may run that no schedule asked for.</summary>
    public void Kick()
    {
        Interlocked.Increment(ref _schedules);
        Schedule();
    }

    /// <summary>napi_disable, checked: it returns only once no poll runs, and nothing polls until <see cref="EnableAndKick"/>.</summary>
    public void DisableChecked()
    {
        Disable();
        if (Volatile.Read(ref _inPoll) != 0)
            invariants.Fail("disable", $"napi_disable of NAPI {Id} returned while a poll was still running ({State})");
        Volatile.Write(ref _disabled, true);
    }

    /// <summary>napi_enable, then a schedule for whatever arrived meanwhile, as a driver does.</summary>
    public void EnableAndKick()
    {
        Volatile.Write(ref _disabled, false);
        Enable();
        Kick();
    }

    internal override int Poll(in BottomHalf bh, int budget)
    {
        Interlocked.Increment(ref _polls);
        if (Volatile.Read(ref _disabled))
            invariants.Fail("disable", $"NAPI {Id} polled while disabled ({State})");
        if (ThrowNext > 0)
        {
            ThrowNext--;
            // A driver that asks for another round on its error path (MISSED, since it owns the NAPI), so the work it
            // did not get to is not stranded by the core's completion.
            Kick();
            throw new InvalidOperationException("simulated driver fault");
        }
        Interlocked.Increment(ref _inPoll);
        long todo = Volatile.Read(ref _added) - _done;
        int n = (int)Math.Min(todo, budget);
        Volatile.Write(ref _done, _done + n);
        // Out before completing: from then on the next owner may poll.
        Interlocked.Decrement(ref _inPoll);
        if (n < budget)
            CompleteDone(n);
        return n;
    }
}
