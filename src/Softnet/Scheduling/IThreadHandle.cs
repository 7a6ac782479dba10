namespace Softnet.Scheduling;

/// <summary>A thread started by an <see cref="IPlatform"/>.</summary>
public interface IThreadHandle
{
    string Name { get; }

    /// <summary>The OS thread id (the <c>pid</c> netlink reports for a NAPI thread); 0 until the thread has started.</summary>
    int OsThreadId { get; }

    /// <summary>Whether the thread's CPU affinity was applied.</summary>
    bool Pinned { get; }

    bool IsAlive { get; }

    bool Join(TimeSpan timeout);
}
