using System.Runtime.CompilerServices;
using Softnet.Scheduling;

namespace Softnet.Core;

/// <summary>
/// <c>ksoftirqd/N</c>, one CPU's softirq thread (run_ksoftirqd): it sleeps in the CPU's softirq wait until NET_RX is
/// raised, a device's readiness (a queue interrupt) arrives or a watchdog or the CPU budget's tick is due, then runs a
/// softirq pass in the CPU's bottom half, yielding between passes that left work. Parked (smpboot) while its CPU is offline.
/// </summary>
internal sealed class Ksoftirqd
{
    private readonly SoftnetData _cpu;
    private int _irqSources;
    private int _threadId;
    private bool _stopping;
    private bool _parked;

    public Ksoftirqd(SoftnetData cpu, IIrqWaiter waiter)
    {
        _cpu = cpu;
        Waiter = waiter;
    }

    /// <summary>The thread's wait: woken by a raise, and the device interrupts of this CPU's queues.</summary>
    public IIrqWaiter Waiter { get; }

    public IThreadHandle? Handle { get; private set; }

    /// <summary>The caller is this thread, which re-reads its deadlines before it sleeps.</summary>
    public bool IsCurrent => Environment.CurrentManagedThreadId == _threadId;

    /// <summary>Parked (its CPU offline, or coming back and waiting for its stand-in).</summary>
    public bool Parked => Volatile.Read(ref _parked);

    public void Start() => Handle = _cpu.Stack.StartThread($"ksoftirqd/{_cpu.Cpu}", _cpu, Loop);

    /// <summary>wakeup_softirqd, counted in softnet_stat's wake-ups when the thread was asleep.</summary>
    public void Wake()
    {
        if (Waiter.Wake())
            Interlocked.Increment(ref _cpu.Counters.Remote.Wakeups);
    }

    /// <summary>Makes readiness of <paramref name="fd"/> an interrupt handled on this thread, armed once per <see cref="RearmIrq"/>.</summary>
    public void RegisterIrq(int fd, IIrqHandler handler)
    {
        Waiter.Register(fd, handler);
        Interlocked.Increment(ref _irqSources);
    }

    public void UnregisterIrq(int fd)
    {
        Waiter.Unregister(fd);
        Interlocked.Decrement(ref _irqSources);
    }

    /// <summary>Unmasks the queue interrupt after its NAPI completed.</summary>
    public void RearmIrq(int fd, bool drained) => Waiter.Rearm(fd, drained);

    /// <summary>smpboot park/unpark: the thread stays alive, sleeping, while its CPU is offline.</summary>
    public void SetParked(bool parked)
    {
        Volatile.Write(ref _parked, parked);
        Waiter.Wake();
    }

    public void Stop()
    {
        Volatile.Write(ref _stopping, true);
        Waiter.Wake();
    }

    /// <summary>Sleep until raised (or a device's readiness, or a watchdog), run a softirq pass, yield between passes that left work.</summary>
    /// <remarks>Compiled optimised at the thread's start: a loop the thread never leaves would otherwise be replaced
    /// on its own stack (on-stack replacement) by a compilation the packet thread runs itself, milliseconds in the
    /// middle of a flood, a stall no budget break interrupts when the thread is SCHED_FIFO.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Loop()
    {
        _threadId = Environment.CurrentManagedThreadId;
        var cpu = _cpu;
        var budget = cpu.CpuOverload;
        var platform = cpu.Stack.Platform;
        bool waited = false;
        var slice = default(TimeSlice);
        while (!Volatile.Read(ref _stopping))
        {
            long now = platform.NowNs();
            bool parked = Volatile.Read(ref _parked);
            if (!parked && now >= budget.NextTickNs)
            {
                using var tick = cpu.EnterBh();
                budget.Tick(now);
            }
            cpu.Stack.Realtime.Follow(budget.State);
            // Parked (CPU offline): pending kicks stay pending until the CPU comes back. Throttled (out of CPU budget):
            // nothing runs, watchdogs included, until the throttle ends.
            bool throttled = budget.IsThrottled(now) && !cpu.HasUnbudgetedWork();
            if (parked || throttled || !cpu.HasSoftirqWork())
            {
                long next = throttled ? budget.ThrottledUntilNs : cpu.Watchdogs.NextDeadlineNs;
                if (!parked)
                    next = Math.Min(next, budget.NextTickNs);
                Waiter.Wait(next == long.MaxValue ? -1 : Math.Max(0, next - now));
                waited = true;
                slice.Start(platform);
                continue;
            }
            // Kept awake by wakes, the thread would never sleep in epoll and its devices' interrupts would starve;
            // right after a wait, epoll was just read.
            if (!waited && Volatile.Read(ref _irqSources) > 0)
                Waiter.TryPollIrqs();
            waited = false;
            if (cpu.KsoftirqdPass())
                slice.CondResched(platform);
        }
    }
}
