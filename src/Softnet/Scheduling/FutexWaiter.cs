using System.Runtime.InteropServices;
using Softnet.Interop;

namespace Softnet.Scheduling;

/// <summary>
/// A futex-backed <see cref="IWaiter"/>: a wake costs one atomic exchange while the owner runs, and a
/// FUTEX_WAKE syscall only when the owner is really asleep.
/// </summary>
internal sealed unsafe class FutexWaiter : IWaiter
{
    private const int Empty = 0;
    private const int Notified = 1;
    private const int Sleeping = 2;
    private const int SpinsBeforeSleep = 64;

    // The futex word must not move, so it lives outside the GC heap.
    private readonly int* _word = (int*)NativeMemory.AlignedAlloc(64, 64);

    public FutexWaiter() => *_word = Empty;

    public void Wait(long timeoutNs)
    {
        int* word = _word;
        if (Interlocked.CompareExchange(ref *word, Empty, Notified) == Notified)
            return;
        for (int i = 0; i < SpinsBeforeSleep; i++)
        {
            Thread.SpinWait(8);
            if (Volatile.Read(ref *word) == Notified)
            {
                Volatile.Write(ref *word, Empty);
                return;
            }
        }
        if (Interlocked.CompareExchange(ref *word, Sleeping, Empty) == Notified)
        {
            Volatile.Write(ref *word, Empty);
            return;
        }
        Libc.FutexWait(word, Sleeping, timeoutNs);
        // Whatever woke us (a wake, a timeout, a signal), the permit is consumed: callers re-check their condition.
        Interlocked.Exchange(ref *word, Empty);
    }

    public bool Wake()
    {
        int* word = _word;
        if (Volatile.Read(ref *word) == Notified)
            return false;
        if (Interlocked.Exchange(ref *word, Notified) != Sleeping)
            return false;
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
