namespace Softnet.Scheduling;

/// <summary>
/// The first time a thread blocks on a contended <see cref="Lock"/>, the runtime allocates wait state for that thread
/// (about 150 bytes). A packet thread that first meets contention mid-flood would allocate it there, on the measured
/// path. So a starting thread blocks once here, on a lock its starter holds for a moment, and pays it as it starts.
/// </summary>
/// <remarks>
/// Best effort and bounded: the starter lets go after <see cref="HoldFor"/> whether or not the new thread got as far as
/// sleeping (it spins first, and a busy machine may not run it at all meanwhile). Nothing depends on it but allocations.
/// </remarks>
internal sealed class FirstLockWait
{
    /// <summary>Long enough for the new thread to spin out and sleep; short enough not to slow a stack's start.</summary>
    private static readonly TimeSpan HoldFor = TimeSpan.FromMilliseconds(1);

    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _arrived = new();

    /// <summary>The starter, before it starts the thread: takes the lock the thread will wait for.</summary>
    public void Hold() => _lock.Enter();

    /// <summary>The starter, once the thread is running: waits for it to reach the lock, holds a moment longer, lets go.</summary>
    public void Release()
    {
        _arrived.Wait();
        Thread.Sleep(HoldFor);
        _lock.Exit();
    }

    /// <summary>The starter, when the thread never started: lets go without waiting for it.</summary>
    public void Abandon() => _lock.Exit();

    /// <summary>The new thread: blocks until the starter lets go.</summary>
    public void Wait()
    {
        _arrived.Set();
        _lock.Enter();
        _lock.Exit();
    }
}
