namespace Softnet.Simulation.Platform;

/// <summary>
/// The simulation's virtual clock. It moves a little on every read and jumps on yields, back-offs and sleeps; a jump
/// fires the timed waits whose deadline it passed, so watchdogs, budgets and time slices expire in simulated time.
/// </summary>
/// <remarks>
/// Only one controlled thread runs between two scheduling points, so plain fields are enough here; a lock would only
/// add a scheduling point to every clock read.
/// </remarks>
internal sealed class SimClock
{
    private const long TickNs = 250;

    private readonly List<SimWaiter> _timed = [];
    private long _nowNs = 1_000_000_000;

    public long NowNs() => _nowNs += TickNs;

    public long Peek => _nowNs;

    public void Advance(long ns)
    {
        _nowNs += ns;
        List<SimWaiter>? due = null;
        foreach (var w in _timed)
        {
            if (w.DeadlineNs <= _nowNs)
                (due ??= []).Add(w);
        }
        if (due is null)
            return;
        foreach (var w in due)
            _timed.Remove(w);
        foreach (var w in due)
            w.TimeOut();
    }

    public void AddTimed(SimWaiter waiter) => _timed.Add(waiter);

    public void RemoveTimed(SimWaiter waiter) => _timed.Remove(waiter);
}
