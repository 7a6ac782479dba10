using Softnet.Scheduling;

namespace Softnet.Simulation.Platform;

/// <summary>
/// A softirq thread's wait that also takes device interrupts, edge-triggered as the real waiter's: each new item
/// (<see cref="Signal"/>) is an edge; an armed source fires once on an edge and is masked until
/// <see cref="Rearm(int)"/>, which looks at the source again and fires if it is still ready. An edge collected while
/// masked is remembered; a drained unmask (<see cref="Rearm(int, bool)"/>) without one looks at nothing, so a driver
/// that claims to have drained a source it did not drain loses its interrupt here as it would on the system. An event
/// collected before an <see cref="Unregister"/> from another thread still runs its handler once.
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
            // EPOLL_CTL_ADD reports a source that is ready already.
            _registrations.Add(new Registration(fd, handler) { Edge = platform.IsReady(fd) });
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

    public void Rearm(int fd) => Rearm(fd, drained: false);

    public void Rearm(int fd, bool drained)
    {
        lock (Gate)
        {
            if (_registrations.Find(r => r.Fd == fd) is not { } registration)
                return;
            registration.Masked = false;
            if (drained && !registration.EdgeWhileMasked)
            {
                if (registration.Edge)
                    WakeIfAsleep();
                return;
            }
            registration.EdgeWhileMasked = false;
            // epoll_ctl(MOD): a source still ready is reported again.
            if (platform.IsReady(fd))
            {
                registration.Edge = true;
                WakeIfAsleep();
            }
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

    /// <summary>The source got a new item (an edge): an asleep owner wakes if the source is armed.</summary>
    public void Signal(int fd)
    {
        lock (Gate)
        {
            if (_registrations.Find(r => r.Fd == fd) is not { } registration)
                return;
            registration.Edge = true;
            if (!registration.Masked)
                WakeIfAsleep();
        }
    }

    protected override bool CollectFired()
    {
        foreach (var r in _registrations)
        {
            if (!r.Edge)
                continue;
            r.Edge = false;
            if (r.Masked)
            {
                r.EdgeWhileMasked = true;
                continue;
            }
            r.Masked = true;
            _fired.Add(r.Handler);
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

        /// <summary>An edge not collected yet (on epoll's ready list).</summary>
        public bool Edge { get; set; }

        /// <summary>Fired and not re-armed yet.</summary>
        public bool Masked { get; set; }

        /// <summary>An edge was collected while masked.</summary>
        public bool EdgeWhileMasked { get; set; }
    }
}
