using Softnet.Overload;

namespace Softnet.Core;

/// <summary>A device NAPI's overload detector and the time accounting of its polls.</summary>
public abstract partial class Napi
{
    private NapiOverload? _overload;
    private long _nsPerPacket;
    private long _pollCpuStartNs = -1;
    private long _pollAllocStart;

    /// <summary>
    /// The queue's overload state, transitions, time in each state, signals and CPU share, as of the detector's last
    /// evaluation; normal with nothing counted before the first poll.
    /// </summary>
    public OverloadInfo Overload => Volatile.Read(ref _overload)?.Info() ?? default;

    /// <summary>
    /// Creates the queue's detector before its first poll: a driver calls it when the queue starts, so that poll
    /// allocates nothing. Otherwise the first poll creates it.
    /// </summary>
    internal void RegisterOverload()
    {
        if (Device is not null)
            _overload ??= Stack.OverloadControl.Register(this);
    }

    /// <summary>The queue's detector state, for the packet path (normal before the first poll).</summary>
    internal OverloadState OverloadState => Volatile.Read(ref _overload)?.State ?? OverloadState.Normal;

    /// <summary>
    /// Whether the CPU budget stops this NAPI: false for a device whose overload policy is off, which is polled however
    /// much of the budget is used (its polls still count against it).
    /// </summary>
    internal virtual bool Budgeted => true;

    /// <summary>
    /// A protected queue: listed at the head of its CPU's poll list, polled while the CPU is out of budget, and not
    /// charged to the budget, so the traffic it carries is never queued behind a flood.
    /// </summary>
    internal virtual bool Protected => false;

    /// <summary>
    /// The device queue's fill as the kernel accounts it, for the overload detector; false when the driver has no
    /// such queue. Called after a poll that used its whole weight (at most every
    /// <see cref="NapiOverload.FillReadIntervalNs"/>) and once per period, so it may cost a syscall.
    /// </summary>
    protected internal virtual bool TryReadQueueFill(out QueueFill fill)
    {
        fill = default;
        return false;
    }

    /// <summary>The queue's detector changed state; a driver may act on it (a UDP device starts or stops shedding).</summary>
    protected internal virtual void OnOverloadStateChanged()
    {
    }

    /// <summary>
    /// A poll starts: notes what the polling thread has allocated so far, and returns the packets the poll starting at
    /// <paramref name="startNs"/> may read: the weight, or fewer when the CPU's budget
    /// has less runtime left than the weight would take at this NAPI's recent cost per packet, or when the CPU takes a
    /// protected queue (<see cref="CpuBudget.ProtectedWaitNs"/>). Caller holds the CPU's bottom-half lock.
    /// </summary>
    private int BeginPoll(SoftnetData cpu, long startNs, int weight)
    {
        _pollAllocStart = GC.GetAllocatedBytesForCurrentThread();
        if (!Budgeted || cpu.Stack != Stack || !cpu.CpuOverload.HasBudget)
            return weight;
        _pollCpuStartNs = Stack.Platform.ThreadCpuNs();
        return cpu.CpuOverload.Quota(startNs, weight, Volatile.Read(ref _nsPerPacket));
    }

    /// <summary>
    /// Charges a poll that began at <paramref name="startNs"/> to this queue's detector and to the polling CPU's budget:
    /// its wall-clock time, or under a budget the CPU time its thread used, when less (ending when the poll ended).
    /// </summary>
    private void AccountPoll(SoftnetData cpu, long startNs, int work, int weight)
    {
        if (cpu.Stack != Stack)
            return;
        // Only polls that found packets count: an empty poll of a busy-polling thread is its chosen cost, not load.
        long endNs = work > 0 ? Stack.Platform.NowNs() : startNs;
        // Under a budget a poll costs the CPU time its thread used: under SCHED_OTHER a poller preempted mid-poll has
        // not used the CPU while it waited, and its wall-clock time would throttle it for what others ran.
        long startCpuNs = _pollCpuStartNs;
        _pollCpuStartNs = -1;
        if (startCpuNs >= 0 && work > 0)
            startNs = endNs - Math.Clamp(Stack.Platform.ThreadCpuNs() - startCpuNs, 0, endNs - startNs);
        if (work > 0)
        {
            // The cost per packet, averaged over the last eight or so polls: what the budget's quota divides by.
            long ns = (endNs - startNs) / work;
            long old = _nsPerPacket;
            Volatile.Write(ref _nsPerPacket, old == 0 ? ns : old + ((ns - old) / 8));
        }
        double queueLevel = 0;
        if (Device is not null)
        {
            var overload = _overload ??= Stack.OverloadControl.Register(this);
            overload.AccountPoll(startNs, endNs, work, weight);
            queueLevel = overload.Level;
        }
        // What the poll allocated on its thread (the handler included): the measure of "no allocation per packet".
        long allocated = GC.GetAllocatedBytesForCurrentThread() - _pollAllocStart;
        if (!Protected)
            cpu.CpuOverload.AccountPoll(startNs, endNs, allocated, queueLevel);
        else
            cpu.CpuOverload.AccountUnbudgetedPoll(startNs, endNs, allocated);
    }
}
