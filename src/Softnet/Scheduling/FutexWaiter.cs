using System.Diagnostics;
using System.Runtime.InteropServices;
using Softnet.Interop;

namespace Softnet.Scheduling;

/// <summary>
/// A futex-backed <see cref="IWaiter"/>: a wake costs one atomic exchange while the owner runs, and a
/// FUTEX_WAKE syscall only when the owner is really asleep.
/// </summary>
/// <remarks>
/// Before sleeping the owner spins briefly (about 20 µs), but only while wakes come that soon: after a sleep whose wake
/// was posted later than a spin lasts, the next wait sleeps at once. A thread the kernel would put to sleep at once
/// (napi_thread_wait does not spin) thus spins only under a load that wakes it faster than a sleep and a wake-up cost,
/// and a paced load that wakes it every 100 µs does not pay a spin per wake on top of the wake itself.
/// </remarks>
internal sealed unsafe class FutexWaiter : IWaiter
{
    private const int Empty = 0;
    private const int Notified = 1;
    private const int Sleeping = 2;
    private const int SpinsBeforeSleep = 64;

    /// <summary>About what <see cref="SpinsBeforeSleep"/> rounds of Thread.SpinWait(8) take: a wake posted later would not have been caught spinning.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 50_000;

    // The futex word must not move, so it lives outside the GC heap.
    private readonly int* _word = (int*)NativeMemory.AlignedAlloc(64, 64);

    /// <summary>When the owner last went to sleep, and when a waker last rang it (Stopwatch ticks).</summary>
    private long _sleptAt;
    private long _rungAt;
    private bool _sleepAtOnce;

    public FutexWaiter() => *_word = Empty;

    /// <summary>The next wait skips the spin: the last sleep's wake came later than a spin lasts, or never (a timeout).</summary>
    internal bool SleepsAtOnce => _sleepAtOnce;

    /// <summary>The owner is asleep (or about to call futex_wait): a <see cref="Wake"/> now rings it.</summary>
    internal bool Asleep => Volatile.Read(ref *_word) == Sleeping;

    public void Wait(long timeoutNs)
    {
        int* word = _word;
        if (Interlocked.CompareExchange(ref *word, Empty, Notified) == Notified)
            return;
        for (int i = _sleepAtOnce ? SpinsBeforeSleep : 0; i < SpinsBeforeSleep; i++)
        {
            Thread.SpinWait(8);
            if (Volatile.Read(ref *word) == Notified)
            {
                Volatile.Write(ref *word, Empty);
                return;
            }
        }
        // Stamped before Sleeping is published, so a waker that sees Sleeping rings after it.
        _sleptAt = Stopwatch.GetTimestamp();
        if (Interlocked.CompareExchange(ref *word, Sleeping, Empty) == Notified)
        {
            Volatile.Write(ref *word, Empty);
            return;
        }
        Libc.FutexWait(word, Sleeping, timeoutNs);
        // Whatever woke us (a wake, a timeout, a signal), the permit is consumed: callers re-check their condition.
        Interlocked.Exchange(ref *word, Empty);
        // Rung within a spin's length of going to sleep: spinning would have caught it, so the next wait spins. A
        // timeout or signal leaves the last ring before the sleep, so the next wait sleeps at once.
        _sleepAtOnce = Volatile.Read(ref _rungAt) - _sleptAt is var gap && (gap < 0 || gap > SpinTicks);
    }

    public bool Wake()
    {
        int* word = _word;
        if (Volatile.Read(ref *word) == Notified)
            return false;
        if (Interlocked.Exchange(ref *word, Notified) != Sleeping)
            return false;
        Volatile.Write(ref _rungAt, Stopwatch.GetTimestamp());
        Libc.FutexWake(word, 1);
        return true;
    }

    /// <summary>Nothing to release early: a late <see cref="Wake"/> racing with shutdown must still find the
    /// word, so it is freed only once the waiter is unreachable.</summary>
    public void Dispose()
    {
    }

    ~FutexWaiter() => NativeMemory.AlignedFree(_word);
}
