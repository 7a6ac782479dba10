using Softnet.Core;

namespace Softnet.Simulation.Devices;

/// <summary>
/// A NAPI whose "queue" is a work counter: schedulers add work, then call <see cref="Napi.Schedule"/>, as a driver
/// does from a doorbell that is never masked. Every unit added before a poll reads the counter is that poll's to do;
/// one added during a poll is covered only by MISSED forcing another round.
/// </summary>
internal sealed class WorkNapi(NetStack stack, int weight) : Napi(stack, weight)
{
    private long _added;
    private long _done;

    public long Added => Volatile.Read(ref _added);

    public long Done => Volatile.Read(ref _done);

    /// <summary>Polls that throw before doing anything (the core completes the NAPI and, MISSED set, polls it again).</summary>
    public int ThrowNext { get; set; }

    public void Add() => Interlocked.Increment(ref _added);

    protected internal override int Poll(int budget)
    {
        if (ThrowNext > 0)
        {
            ThrowNext--;
            // A driver that asks for another round on its error path (MISSED, since it owns the NAPI), so the work it
            // did not get to is not stranded by the core's completion.
            Schedule();
            throw new InvalidOperationException("simulated driver fault");
        }
        long todo = Volatile.Read(ref _added) - _done;
        int n = (int)Math.Min(todo, budget);
        Volatile.Write(ref _done, _done + n);
        if (n < budget)
            CompleteDone(n);
        return n;
    }
}
