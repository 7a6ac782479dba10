using Softnet.Scheduling;

namespace Softnet.Tests.TestSupport;

/// <summary>
/// A platform (the system's unless given), with the allocated bytes of the threads it starts (a stack's ksoftirqd, backlog and NAPI
/// threads) readable from outside. A thread can only read its own allocation counter, so each stack thread publishes
/// it whenever it goes to sleep on one of its waits; while every stack thread sleeps, the published values are exact.
/// Nothing another thread of the process allocates (the test runner, a neighbouring test) is counted.
/// </summary>
internal sealed class AllocationMeteringPlatform(IPlatform? inner = null) : IPlatform
{
    [ThreadStatic]
    private static Meter? t_meter;

    private readonly IPlatform _inner = inner ?? SystemPlatform.Instance;
    private readonly List<Meter> _meters = [];

    public long NowNs() => _inner.NowNs();

    public int CurrentOsCpu() => _inner.CurrentOsCpu();

    public IReadOnlyList<int> AllowedOsCpus() => _inner.AllowedOsCpus();

    public IWaiter CreateWaiter() => new MeteredWaiter(_inner.CreateWaiter());

    public IIrqWaiter CreateSoftirqWaiter() => new MeteredIrqWaiter(_inner.CreateSoftirqWaiter());

    public IThreadHandle StartThread(string name, int osCpu, Action setup, Action body)
    {
        var meter = new Meter();
        lock (_meters)
            _meters.Add(meter);
        return _inner.StartThread(
            name,
            osCpu,
            () =>
            {
                t_meter = meter;
                setup();
            },
            () =>
            {
                try
                {
                    body();
                }
                finally
                {
                    // An ended thread allocates no more: it counts as asleep for good.
                    meter.Sleeping();
                }
            });
    }

    public void Yield() => _inner.Yield();

    public void CondResched() => _inner.CondResched();

    public void Backoff(int attempt) => _inner.Backoff(attempt);

    public void Sleep(TimeSpan duration) => _inner.Sleep(duration);

    /// <summary>
    /// The bytes the stack's threads have allocated so far, read at a moment when all of them sleep (so none is between
    /// publishing and allocating); false when they were never all asleep at once within <paramref name="timeout"/>.
    /// </summary>
    public bool TryReadWhileIdle(TimeSpan timeout, out long allocated)
    {
        Meter[] meters;
        lock (_meters)
            meters = [.. _meters];
        var versions = new int[meters.Length];
        long total = 0;
        bool idle = Eventually.Holds(
            () =>
            {
                total = 0;
                for (int i = 0; i < meters.Length; i++)
                {
                    versions[i] = meters[i].Version;
                    if ((versions[i] & 1) == 0)
                        return false; // awake: its published count may be behind what it allocates now
                    total += meters[i].Allocated;
                }
                // Unchanged versions: each thread slept throughout, so they all slept at once between the two reads.
                for (int i = 0; i < meters.Length; i++)
                {
                    if (meters[i].Version != versions[i])
                        return false;
                }
                return true;
            },
            timeout);
        allocated = total;
        return idle && meters.Length > 0;
    }

    /// <summary>One stack thread's published allocation counter; an odd version means the thread is asleep.</summary>
    private sealed class Meter
    {
        private long _allocated;
        private int _version;

        public long Allocated => Volatile.Read(ref _allocated);

        public int Version => Volatile.Read(ref _version);

        /// <summary>Called by the thread itself just before it sleeps.</summary>
        public void Sleeping()
        {
            if ((_version & 1) == 1)
                return;
            Volatile.Write(ref _allocated, GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Increment(ref _version);
        }

        /// <summary>Called by the thread itself as soon as it wakes, before it does anything else.</summary>
        public void Woke()
        {
            if ((_version & 1) == 1)
                Interlocked.Increment(ref _version);
        }
    }

    private class MeteredWaiter(IWaiter inner) : IWaiter
    {
        public void Wait(long timeoutNs)
        {
            var meter = t_meter;
            meter?.Sleeping();
            try
            {
                inner.Wait(timeoutNs);
            }
            finally
            {
                meter?.Woke();
            }
        }

        public bool Wake() => inner.Wake();

        public void Dispose() => inner.Dispose();
    }

    private sealed class MeteredIrqWaiter(IIrqWaiter inner) : MeteredWaiter(inner), IIrqWaiter
    {
        public void Register(int fd, IIrqHandler handler) => inner.Register(fd, handler);

        public void Unregister(int fd) => inner.Unregister(fd);

        public void Rearm(int fd) => inner.Rearm(fd);

        public bool TryPollIrqs() => inner.TryPollIrqs();
    }
}
