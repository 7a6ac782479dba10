namespace Softnet.Tests.TestSupport;

/// <summary>
/// A stack log that allocates nothing per message (a fixed array, filled once), for tests that measure the packet
/// path's allocations: the stack logs from its packet threads (an overload transition, say), and a growing
/// collection would charge its own growth to them.
/// </summary>
internal sealed class PreallocatedLog
{
    private readonly string[] _messages = new string[256];
    private int _count;

    public void Add(string message)
    {
        int i = Interlocked.Increment(ref _count) - 1;
        if (i < _messages.Length)
            _messages[i] = message;
    }

    public override string ToString() => string.Join(" | ", _messages.Take(Math.Min(Volatile.Read(ref _count), _messages.Length)));
}
