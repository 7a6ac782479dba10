using Softnet.Scheduling;

namespace Softnet.Tests.Udp;

/// <summary>An interrupt handler that only counts, optionally running an action on each interrupt.</summary>
internal sealed class CountingIrq(Action? onIrq = null) : IIrqHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void OnIrq()
    {
        Interlocked.Increment(ref _count);
        onIrq?.Invoke();
    }
}
