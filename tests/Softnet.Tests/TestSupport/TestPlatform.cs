using Softnet.Scheduling;

namespace Softnet.Tests.TestSupport;

/// <summary>
/// The system platform (real threads, futex/epoll waits, clock) with virtual CPUs: it reports CPUs 0..n-1 as
/// allowed, and a test thread can declare which of them it "runs on" with <see cref="As"/>, so the CPU a send or a
/// schedule is charged to is deterministic. Stack threads never ask (they know their home CPU). Use with Pin = false.
/// </summary>
internal sealed class TestPlatform : IPlatform
{
    [ThreadStatic]
    private static int t_cpuPlusOne;

    private readonly int[] _allowed;

    public TestPlatform(int cpus) => _allowed = Enumerable.Range(0, cpus).ToArray();

    /// <summary>Makes the calling thread count as CPU <paramref name="cpu"/> until the scope is disposed.</summary>
    public static CpuScope As(int cpu)
    {
        int previous = t_cpuPlusOne;
        t_cpuPlusOne = cpu + 1;
        return new CpuScope(previous);
    }

    public long NowNs() => SystemPlatform.Instance.NowNs();

    public int CurrentOsCpu() =>
        t_cpuPlusOne > 0 ? t_cpuPlusOne - 1 : SystemPlatform.Instance.CurrentOsCpu() % _allowed.Length;

    public IReadOnlyList<int> AllowedOsCpus() => _allowed;

    public IWaiter CreateWaiter() => SystemPlatform.Instance.CreateWaiter();

    public IIrqWaiter CreateSoftirqWaiter() => SystemPlatform.Instance.CreateSoftirqWaiter();

    public IThreadHandle StartThread(string name, int osCpu, Action setup, Action body) =>
        SystemPlatform.Instance.StartThread(name, -1, setup, body);

    public void Yield() => SystemPlatform.Instance.Yield();

    public void CondResched() => SystemPlatform.Instance.CondResched();

    public void Backoff(int attempt) => SystemPlatform.Instance.Backoff(attempt);

    public void Sleep(TimeSpan duration) => SystemPlatform.Instance.Sleep(duration);

    public readonly struct CpuScope(int previous) : IDisposable
    {
        public void Dispose() => t_cpuPlusOne = previous;
    }
}
