using Softnet.Scheduling;

namespace Softnet.Simulation.Platform;

/// <summary>
/// A softirq thread's wait that also takes device interrupts, with epoll's one-shot semantics: a ready, armed source
/// fires once and is masked until <see cref="Rearm"/>; an event collected before an <see cref="Unregister"/> from
/// another thread still runs its handler once, as with the real waiter.
/// </summary>
internal sealed class SimIrqWaiter(SimClock clock, SimPlatform platform) : SimWaiter(clock), IIrqWaiter
{
    private readonly List<Registration> _registrations = [];
    private readonly List<IIrqHandler> _fired = [];

    public void Register(int fd, IIrqHandler handler)
    {
        lock (Gate)
        {
            if (_registrations.Exists(r => r.Fd == fd))
                throw new ArgumentException($"source {fd} is already registered with this waiter", nameof(fd));
            _registrations.Add(new Registration(fd, handler) { Armed = true });
            platform.SetOwner(fd, this);
            if (platform.IsReady(fd))
                WakeIfAsleep();
        }
    }

    public void Unregister(int fd)
    {
        lock (Gate)
        {
            _registrations.RemoveAll(r => r.Fd == fd);
            platform.ClearOwner(fd, this);
        }
    }

    public void Rearm(int fd)
    {
        lock (Gate)
        {
            if (_registrations.Find(r => r.Fd == fd) is not { } registration)
                return;
            registration.Armed = true;
            if (platform.IsReady(fd))
                WakeIfAsleep();
        }
    }

    public bool TryPollIrqs()
    {
        bool any;
        lock (Gate)
            any = CollectFired();
        DispatchFired();
        return any;
    }

    /// <summary>The source became ready: an asleep owner wakes if the source is armed.</summary>
    public void Signal(int fd)
    {
        lock (Gate)
        {
            if (_registrations.Find(r => r.Fd == fd) is { Armed: true })
                WakeIfAsleep();
        }
    }

    protected override bool CollectFired()
    {
        foreach (var r in _registrations)
        {
            if (r.Armed && platform.IsReady(r.Fd))
            {
                r.Armed = false;
                _fired.Add(r.Handler);
            }
        }
        return _fired.Count > 0;
    }

    protected override void DispatchFired()
    {
        if (_fired.Count == 0)
            return;
        var fired = _fired.ToArray();
        _fired.Clear();
        foreach (var handler in fired)
            handler.OnIrq();
    }

    private sealed class Registration(int fd, IIrqHandler handler)
    {
        public int Fd { get; } = fd;

        public IIrqHandler Handler { get; } = handler;

        public bool Armed { get; set; }
    }
}
