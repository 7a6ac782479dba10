namespace Softnet.Load;

/// <summary>
/// Paces one producer's batches against the clock with a token bucket: tokens accrue at the producer's rate, a batch
/// goes out once enough accrued, and waiting is a yield or a 1 ms sleep depending on how long it will be — never a
/// sleep per packet. A rate of 0 means no pacing.
/// </summary>
public struct Pacer
{
    /// <summary>Batches wait for at most this long to fill, so a low rate sends small batches rather than bursts.</summary>
    private const double MaxFillNs = 20_000;

    /// <summary>
    /// How much a sleeping producer (<see cref="Sleep"/>) sends per wake-up: a timer sleep and its wake-up cost several
    /// microseconds of CPU time (more in a virtual machine, where arming the timer and the wake-up interrupt trap to the
    /// host), so a producer that woke every 20 µs would spend most of a paced run's CPU time sleeping. 100 µs is the
    /// order of a NIC's interrupt coalescing (rx-usecs), the burst a receive path sees at this rate from a real device.
    /// </summary>
    public const double SleepingFillNs = 100_000;

    /// <summary>
    /// Tokens kept after a stall (descheduled for a time slice or two, a GC): the producer catches up that much, so the
    /// offered rate holds on a busy machine, but never with a flood.
    /// </summary>
    private const double MaxDebtNs = 10_000_000;

    private readonly double _perNs;
    private readonly int _batch;
    private readonly double _wakeTokens;
    private readonly double _capacity;
    private double _tokens;
    private long _lastNs;

    /// <param name="packetsPerSecond">This producer's rate; 0 = as fast as possible.</param>
    /// <param name="maxBatch">The largest batch the caller sends at once.</param>
    /// <param name="startNs">When accrual starts.</param>
    /// <param name="fillNs">Batches wait for at most this long to fill; a sleeping producer also wakes once per this much time's worth of packets.</param>
    public Pacer(double packetsPerSecond, int maxBatch, long startNs, double fillNs = MaxFillNs)
    {
        _perNs = packetsPerSecond / 1e9;
        _batch = _perNs == 0 ? maxBatch : (int)Math.Clamp(_perNs * fillNs, 1, maxBatch);
        // Whole batches per wake-up, so no remainder is left to wake for on its own.
        _wakeTokens = _batch * Math.Max(1, Math.Round(_perNs * fillNs / _batch));
        _capacity = Math.Max(maxBatch, _perNs * MaxDebtNs);
        _lastNs = startNs;
    }

    /// <summary>How many packets may go now (at most the batch size); 0 means <see cref="Wait"/> first.</summary>
    public int Take(long nowNs)
    {
        if (_perNs == 0)
            return _batch;
        _tokens = Math.Min(_capacity, _tokens + (nowNs - _lastNs) * _perNs);
        _lastNs = nowNs;
        if (_tokens < _batch)
            return 0;
        _tokens -= _batch;
        return _batch;
    }

    /// <summary>
    /// Waits part of the way to the next batch; the caller then asks again. Long waits sleep. Short ones yield rather
    /// than spin: producers share CPUs with the stack's threads, and a spinning producer would keep the CPU from the
    /// very thread that must drain its queue, while sched_yield hands it over when that thread is runnable and
    /// returns at once when it is not.
    /// </summary>
    public readonly void Wait()
    {
        double ns = (_batch - _tokens) / _perNs;
        if (ns > 1_000_000)
            Thread.Sleep(1);
        else
            Thread.Yield();
    }

    /// <summary>How long <see cref="Sleep"/> sleeps from the last <see cref="Take"/>: until a fill's worth of packets, in whole batches, is due.</summary>
    public readonly double NsToWake => (_wakeTokens - _tokens) / _perNs;

    /// <summary>
    /// Sleeps until a fill's worth of packets is due (rounded to whole batches), however short the wait: the thread spends no
    /// CPU time waiting, so the CPU time of a paced load is its sending and its wake-ups. What accrued goes out as
    /// back-to-back batches, as do the tokens that accrue while the thread oversleeps, so the rate holds.
    /// </summary>
    public readonly void Sleep()
    {
        double ns = NsToWake;
        if (ns > 1_000_000)
            Thread.Sleep(1);
        else
            ShortSleep.For(Math.Max(1_000, (long)ns));
    }
}
