using Microsoft.Coyote.Random;
using Softnet.Scheduling;

namespace Softnet.Simulation.Platform;

/// <summary>
/// The deterministic platform: virtual CPUs, controlled threads (plain <see cref="Thread"/>s that the rewritten
/// assembly hands to the seeded scheduler — never named or made background, which would take them out of its
/// control), the virtual clock, and device interrupt sources. A pinned thread always runs on its CPU; an unpinned one
/// is on whichever CPU the scheduler picks at each look, so it migrates at any step.
/// </summary>
internal sealed class SimPlatform : IPlatform
{
    /// <summary>What a yield (cond_resched) costs in simulated time: the rest of a time slice.</summary>
    public const long YieldNs = 1_000_000;

    [ThreadStatic]
    private static int t_cpuPlusOne;

    [ThreadStatic]
    private static string? t_name;

    [ThreadStatic]
    private static int t_run;

    private static int s_runs;

    private readonly int[] _allowed;
    private readonly Generator _random;
    private readonly Dictionary<int, Func<bool>> _sources = [];
    private readonly Dictionary<int, SimIrqWaiter> _owners = [];
    private readonly List<SimThread> _threads = [];
    private int _nextFd = 1000;
    private int _nextTid = 100;

    public SimPlatform(int cpus, Generator random)
    {
        _allowed = Enumerable.Range(0, cpus).ToArray();
        _random = random;
        Run = ++s_runs;
        t_run = Run;
    }

    /// <summary>This run's number. Threads of an earlier seed's run that the scheduler abandoned when it found a bug may
    /// still be finishing a step; checks ignore them by this number.</summary>
    public int Run { get; }

    /// <summary>The run the calling thread belongs to.</summary>
    public static int CurrentRun => t_run;

    public SimClock Clock { get; } = new();

    /// <summary>The name the calling thread was started with; null for threads the scenario started itself.</summary>
    public static string? CurrentThreadName => t_name;

    public IReadOnlyList<SimThread> Threads => _threads;

    public long NowNs() => Clock.NowNs();

    public int CurrentOsCpu() => t_cpuPlusOne > 0 ? t_cpuPlusOne - 1 : _random.NextInteger(_allowed.Length);

    public IReadOnlyList<int> AllowedOsCpus() => _allowed;

    public IWaiter CreateWaiter() => new SimWaiter(Clock);

    public IIrqWaiter CreateSoftirqWaiter() => new SimIrqWaiter(Clock, this);

    // No wait for the setup: a simulated thread allocates nothing that is measured, and the caller goes on at once
    // as it always did, so the schedules the seeds explore stay the same.
    public IThreadHandle StartThread(string name, int osCpu, Action setup, Action body)
    {
        int run = Run;
        var handle = new SimThread(name, ++_nextTid, osCpu >= 0, () =>
        {
            t_run = run;
            t_name = name;
            t_cpuPlusOne = osCpu + 1;
            setup();
            body();
        });
        _threads.Add(handle);
        handle.Start();
        return handle;
    }

    /// <summary>Starts a scenario thread (a sender, a control-plane caller) that counts as <paramref name="cpu"/>, or migrates when negative.</summary>
    public Thread StartScenarioThread(int cpu, Action body)
    {
        int run = Run;
        var thread = new Thread(() =>
        {
            t_run = run;
            t_cpuPlusOne = cpu + 1;
            body();
        });
        thread.Start();
        return thread;
    }

    public void Yield()
    {
        Clock.Advance(YieldNs);
        Thread.Yield();
    }

    // The kernel preempts a fair-scheduled thread by itself; here every preemption is a scheduling point the
    // simulated scheduler is offered, so cond_resched is one whatever the policy.
    public void CondResched() => Yield();

    public void Backoff(int attempt)
    {
        Clock.Advance(1000L << Math.Min(attempt, 12));
        Thread.Yield();
    }

    public void Sleep(TimeSpan duration)
    {
        Clock.Advance((long)duration.TotalNanoseconds);
        Thread.Yield();
    }

    /// <summary>A new interrupt source (a queue's "descriptor"), ready whenever <paramref name="ready"/> says so.</summary>
    public int CreateIrqSource(Func<bool> ready)
    {
        int fd = _nextFd++;
        _sources[fd] = ready;
        return fd;
    }

    /// <summary>The source has new data: its registered waiter wakes if the source is armed.</summary>
    public void Signal(int fd)
    {
        if (_owners.TryGetValue(fd, out var owner))
            owner.Signal(fd);
    }

    internal bool IsReady(int fd) => _sources.TryGetValue(fd, out var ready) && ready();

    internal void SetOwner(int fd, SimIrqWaiter waiter) => _owners[fd] = waiter;

    internal void ClearOwner(int fd, SimIrqWaiter waiter)
    {
        if (_owners.TryGetValue(fd, out var owner) && owner == waiter)
            _owners.Remove(fd);
    }
}
