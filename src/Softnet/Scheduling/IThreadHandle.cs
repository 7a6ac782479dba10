namespace Softnet.Scheduling;

/// <summary>A thread started by an <see cref="IPlatform"/>.</summary>
public interface IThreadHandle
{
    /// <summary>The thread's name.</summary>
    string Name { get; }

    /// <summary>The OS thread id (the <c>pid</c> netlink reports for a NAPI thread); 0 until the thread has started.</summary>
    int OsThreadId { get; }

    /// <summary>Whether the thread's CPU affinity was applied.</summary>
    bool Pinned { get; }

    /// <summary>Whether the thread is still running.</summary>
    bool IsAlive { get; }

    /// <summary>Waits up to <paramref name="timeout"/> for the thread to end; true if it did.</summary>
    bool Join(TimeSpan timeout);
}
