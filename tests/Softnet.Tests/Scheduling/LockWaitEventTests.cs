using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Scheduling;

/// <summary>
/// The runtime behaviour behind <see cref="LockWaitEvents"/>: a lock's first blocked waiter allocates the lock's wait
/// event, and a thread that has blocked before allocates nothing to block on a primed lock.
/// </summary>
public sealed class LockWaitEventTests
{
    private sealed class Holder
    {
        public readonly Lock Gate = new();
    }

    [Fact]
    public void AFreshLocksFirstBlockedWaiter_Allocates_AndAPrimedLocksDoesNot()
    {
        var primed = new Holder();
        Assert.Equal(1, LockWaitEvents.Prime(primed));
        Assert.True(LockWaitEvents.Made(primed));

        var allocated = OneThreadBlocksOnEach([new Holder(), new Holder(), primed]);

        // The first fresh lock warms the path up, and the thread's own wait state (made on its first blocked wait) with it.
        Assert.True(allocated[1] > 0, "a fresh lock's first blocked waiter allocated nothing");
        Assert.Equal(0, allocated[2]);
    }

    /// <summary>
    /// What one thread allocates as it takes each holder's lock in turn, each held here until the thread has blocked on
    /// it: until the lock has its wait event, or for a primed one, until the thread is in a wait.
    /// </summary>
    private static long[] OneThreadBlocksOnEach(Holder[] holders)
    {
        var allocated = new long[holders.Length];
        var next = new SemaphoreSlim(0);
        var arrived = new SemaphoreSlim(0);
        var waiter = new Thread(() =>
        {
            for (int i = 0; i < holders.Length; i++)
            {
                next.Wait();
                arrived.Release();
                long before = GC.GetAllocatedBytesForCurrentThread();
                holders[i].Gate.Enter();
                holders[i].Gate.Exit();
                allocated[i] = GC.GetAllocatedBytesForCurrentThread() - before;
            }
        })
        { IsBackground = true };
        waiter.Start();
        foreach (var holder in holders)
        {
            bool primed = LockWaitEvents.Made(holder);
            holder.Gate.Enter();
            try
            {
                next.Release();
                arrived.Wait();
                Eventually.True(
                    primed ? () => (waiter.ThreadState & ThreadState.WaitSleepJoin) != 0 : () => LockWaitEvents.Made(holder),
                    "the thread to block on the lock");
            }
            finally
            {
                holder.Gate.Exit();
            }
        }
        Assert.True(waiter.Join(TimeSpan.FromSeconds(10)), "the waiting thread did not finish");
        return allocated;
    }
}
