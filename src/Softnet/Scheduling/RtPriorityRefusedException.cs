namespace Softnet.Scheduling;

/// <summary>
/// The kernel refused SCHED_FIFO for the stack's threads (<c>NetStackOptions.RtPriority</c>), typically
/// EPERM: the process has neither CAP_SYS_NICE nor an RLIMIT_RTPRIO of at least the priority asked for.
/// </summary>
public sealed class RtPriorityRefusedException(int priority, int errno)
    : Exception($"RtPriority {priority}: sched_setscheduler(SCHED_FIFO, {priority}) failed with {Interop.Errno.Describe(errno)}: "
        + $"the process needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least {priority}; set RtPriorityFallback to run SCHED_OTHER instead")
{
    /// <summary>The SCHED_FIFO priority that was asked for.</summary>
    public int Priority { get; } = priority;

    /// <summary>The errno sched_setscheduler returned (EPERM when the capability and the rlimit are missing).</summary>
    public int Errno { get; } = errno;

    /// <summary>The symbolic name of <see cref="Errno"/> (such as <c>EPERM</c>).</summary>
    public string ErrnoName => Interop.Errno.Name(Errno);
}
