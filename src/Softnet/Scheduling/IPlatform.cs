namespace Softnet.Scheduling;

/// <summary>
/// Everything the engine needs from the operating system to block, wake, run threads and read time.
/// The engine never touches threads or clocks except through this seam, so a deterministic scheduler
/// can drive it step by step in tests.
/// </summary>
public interface IPlatform
{
    /// <summary>Monotonic time in nanoseconds.</summary>
    long NowNs();

    /// <summary>
    /// The CPU time the calling thread has used, in nanoseconds: what the CPU budget charges a poll, so that time the
    /// poller spent preempted is not counted against it. A platform without such a clock returns <see cref="NowNs"/>.
    /// </summary>
    long ThreadCpuNs() => NowNs();

    /// <summary>The OS CPU the calling thread runs on; a locality hint, never a correctness guarantee.</summary>
    int CurrentOsCpu();

    /// <summary>The OS CPUs this process may run on, ascending.</summary>
    IReadOnlyList<int> AllowedOsCpus();

    /// <summary>A waiter for a stack thread that only ever sleeps on it.</summary>
    IWaiter CreateWaiter();

    /// <summary>The idle wait of a per-CPU softirq thread; real platforms return one that also delivers device readiness.</summary>
    IIrqWaiter CreateSoftirqWaiter();

    /// <summary>Starts a named thread, pinned to <paramref name="osCpu"/> when not negative and when the OS allows.</summary>
    IThreadHandle StartThread(string name, int osCpu, Action body) => StartThread(name, osCpu, static () => { }, body);

    /// <summary>
    /// Starts a named thread, pinned to <paramref name="osCpu"/> when not negative and when the OS allows, that runs
    /// <paramref name="setup"/> and then <paramref name="body"/>. Returns once <paramref name="setup"/> has run, so what
    /// a thread does once as it starts (and allocates doing it) is over before the caller goes on; an exception from
    /// <paramref name="setup"/> is thrown here, and <paramref name="body"/> then never runs.
    /// </summary>
    IThreadHandle StartThread(string name, int osCpu, Action setup, Action body);

    /// <summary>Gives the CPU away once: a busy-polling thread that found nothing to do for a time slice.</summary>
    void Yield();

    /// <summary>
    /// cond_resched for a packet thread that has polled for a time slice and still has work: lets the CPU go where the
    /// scheduler would not take it by itself.
    /// </summary>
    void CondResched();

    /// <summary>Sleeps briefly while polling for a state change (napi_disable's wait).</summary>
    void Backoff(int attempt);

    /// <summary>Sleeps for <paramref name="duration"/> (a grace period that must pass, not a wait for a condition).</summary>
    void Sleep(TimeSpan duration);
}
