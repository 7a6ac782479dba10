namespace Softnet.Scheduling;

/// <summary>
/// A park/unpark primitive for one sleeping thread with a sticky wake permit: a <see cref="Wake"/> that
/// arrives before <see cref="Wait"/> is not lost, it makes the next wait return at once.
/// </summary>
public interface IWaiter : IDisposable
{
    /// <summary>Blocks the calling (owning) thread until woken or until <paramref name="timeoutNs"/> passes (&lt; 0: no timeout).</summary>
    void Wait(long timeoutNs);

    /// <summary>Gives the owner a wake permit; returns true when that had to wake a sleeping thread (a real wake-up).</summary>
    bool Wake();
}
