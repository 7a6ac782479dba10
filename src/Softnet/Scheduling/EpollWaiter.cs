using System.Diagnostics;
using System.Runtime.InteropServices;
using Softnet.Interop;

namespace Softnet.Scheduling;

/// <summary>
/// The idle wait of a per-CPU softirq thread: one epoll instance that sleeps on an eventfd doorbell (for
/// <see cref="Wake"/>) and on registered descriptors (the device "interrupts"). After one event a descriptor stays
/// masked until <see cref="Rearm(int)"/>, the way a NAPI driver keeps its IRQ disabled until the poll completes.
/// </summary>
/// <remarks>
/// Descriptors are registered edge-triggered (EPOLLIN | EPOLLET) and masked in software: an edge while masked is
/// remembered, and only then is the kernel registration made one-shot (one epoll_ctl), so a masked descriptor under a
/// flood does not keep waking its owner. Unmasking a descriptor that was read until EAGAIN after it fired
/// (<see cref="Rearm(int, bool)"/> with <c>drained</c>) costs no syscall when no edge came meanwhile: every datagram
/// that arrives later raises a new edge. Any other unmask is an epoll_ctl(MOD), which reports a still-ready
/// descriptor at once, as the one-shot re-arm did.
/// </remarks>
/// <remarks>
/// <see cref="Wait"/>, <see cref="TryPollIrqs"/> and the handlers run on the owning thread only. <see cref="Wake"/>
/// and <see cref="Rearm(int)"/> may come from any thread; a wake costs an atomic exchange unless the owner is asleep.
/// A pending wake permit makes <see cref="Wait"/> return without a syscall, so readiness is then not looked at:
/// an owner that is kept awake by wakes must call <see cref="TryPollIrqs"/> now and then or its devices starve.
/// </remarks>
/// <remarks>
/// When the only registered source is an <see cref="IRingIrq"/> (an io_uring queue) and its interrupt is unmasked,
/// the owner sleeps in that ring's io_uring_enter instead of epoll_wait: the ring polls the doorbell itself, and the
/// enter submits the replies the queue queued on the ring. The ring's epoll registration still sees every completion;
/// an epoll_wait after such sleeps may report it once more, which fires at most one poll that finds nothing.
/// </remarks>
internal sealed unsafe class EpollWaiter : IIrqWaiter
{
    private const int Running = 0;
    private const int Notified = 1;
    private const int Sleeping = 2;

    /// <summary>Set in <see cref="_users"/> once disposal starts; the low bits count syscalls in flight on the descriptors.</summary>
    private const int Closing = 1 << 30;

    private const int MaxEvents = 64;

    /// <summary>Registration state: the interrupt fired and its NAPI has not unmasked it yet.</summary>
    private const int Masked = 1;

    /// <summary>Registration state: an edge came while masked; the unmask must ask the kernel whether data is left.</summary>
    private const int EdgeWhileMasked = 2;

    /// <summary>Registration state: the kernel registration is one-shot (masked there too) until the next epoll_ctl(MOD).</summary>
    private const int KernelOneShot = 4;

    private const uint Armed = Libc.EPOLLIN | Libc.EPOLLET;

    /// <summary>The doorbell's epoll_data; a registration key has a slot below 2^31, so it never collides.</summary>
    private const ulong DoorbellKey = ulong.MaxValue;

    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly int _epfd;
    private readonly int _doorbell;
    private readonly byte* _events;
    private readonly Lock _registrationLock = new();

    // Both tables are copy-on-write: dispatch and Rearm read them lock-free and never see one being changed.
    private Registration?[] _slots = [];
    private Dictionary<int, Registration> _byFd = [];
    private Registration? _ringIrq;
    private uint _lastGeneration;

    private int _state;
    private int _users;
    private long _rearmSyscalls;

    public EpollWaiter()
    {
        int epfd = Libc.EpollCreate1(Libc.EPOLL_CLOEXEC);
        if (epfd < 0)
            throw new IOException($"epoll_create1: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        int doorbell = Libc.EventFd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (doorbell < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.Close(epfd);
            throw new IOException($"eventfd: {Errno.Describe(errno)}");
        }
        byte* ev = stackalloc byte[16];
        Libc.SetEpollEvent(ev, Libc.EPOLLIN, DoorbellKey);
        if (Libc.EpollCtl(epfd, Libc.EPOLL_CTL_ADD, doorbell, ev) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.Close(doorbell);
            Libc.Close(epfd);
            throw new IOException($"epoll_ctl ADD eventfd {doorbell}: {Errno.Describe(errno)}");
        }
        _epfd = epfd;
        _doorbell = doorbell;
        // Assigned last: the finalizer of a half-built instance sees null and must not close descriptors it does not own.
        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Libc.EpollEventBytes));
    }

    ~EpollWaiter() => Release();

    /// <summary>
    /// Sleeps until <see cref="Wake"/>, until a registered descriptor fires (its handler has run when this returns),
    /// or until <paramref name="timeoutNs"/> passes (&lt; 0: no timeout). A permit from an earlier wake returns at once.
    /// </summary>
    public void Wait(long timeoutNs)
    {
        ThrowIfDisposed();
        if (Interlocked.CompareExchange(ref _state, Running, Notified) == Notified)
            return;
        long start = Stopwatch.GetTimestamp();
        long remainingNs = timeoutNs;
        while (true)
        {
            // Publishing Sleeping is the re-check: a waker that got in first left Notified, and one that comes after
            // sees Sleeping and rings the doorbell, which epoll_wait then reports even if it rang before we got there.
            if (Interlocked.CompareExchange(ref _state, Sleeping, Running) == Notified)
            {
                Volatile.Write(ref _state, Running);
                return;
            }
            var ring = Volatile.Read(ref _ringIrq);
            if (ring is not null && Volatile.Read(ref ring.State) == 0
                && ((IRingIrq)ring.Handler).TrySleepInRing(_doorbell, remainingNs, out bool ready, out bool doorbell, out bool timedOut))
            {
                bool wokenInRing = Interlocked.Exchange(ref _state, Running) == Notified;
                if (doorbell)
                    DrainDoorbell();
                // Unregistered during the sleep (the interrupt moved to another CPU): its new owner takes the event.
                bool firedInRing = ready && Volatile.Read(ref _ringIrq) == ring && Fire(ring);
                if (firedInRing)
                    ring.Handler.OnIrq();
                if (wokenInRing || firedInRing || timedOut)
                    return;
                if (timeoutNs >= 0)
                {
                    remainingNs = timeoutNs - (long)((Stopwatch.GetTimestamp() - start) * NsPerTick);
                    if (remainingNs <= 0)
                        return;
                }
                continue;
            }
            // Replies queued on a ring leave before a sleep that is not the ring's.
            if (ring is not null)
                ((IRingIrq)ring.Handler).SubmitQueued();
            int n = Libc.EpollWait(_epfd, _events, MaxEvents, remainingNs);
            bool woken = Interlocked.Exchange(ref _state, Running) == Notified;
            bool fired = n > 0 && Dispatch(n);
            if (woken || fired || n == 0)
                return;
            if (n < 0 && n != -Errno.EINTR)
                throw new InvalidOperationException($"epoll_wait on epoll fd {_epfd}: {Errno.Describe(-n)}");
            // A signal, or a doorbell rung late by a waker whose wake we already took: sleep on for what is left.
            if (timeoutNs >= 0)
            {
                remainingNs = timeoutNs - (long)((Stopwatch.GetTimestamp() - start) * NsPerTick);
                if (remainingNs <= 0)
                    return;
            }
        }
    }

    /// <summary>Gives the owner a wake permit; true when the owner was asleep and the doorbell had to be rung.</summary>
    public bool Wake()
    {
        if (Volatile.Read(ref _state) == Notified)
            return false;
        if (Interlocked.Exchange(ref _state, Notified) != Sleeping)
            return false;
        return RingDoorbell();
    }

    /// <summary>Checks readiness without sleeping and runs the handlers of descriptors that fired (busy polling).</summary>
    public bool TryPollIrqs()
    {
        ThrowIfDisposed();
        // A pass that did not follow a wait: replies queued on a ring for the wait leave now rather than after the pass.
        if (Volatile.Read(ref _ringIrq) is { } ring)
            ((IRingIrq)ring.Handler).SubmitQueued();
        // With every interrupt masked (each one's NAPI is being polled) epoll has nothing to report that matters now: a
        // wake while running rings no doorbell, and an edge while masked stays on epoll's ready list for the next look,
        // costing at most one poll that finds nothing. So a drain that keeps its CPU busy pays no epoll_wait per pass.
        if (!AnyUnmasked())
            return false;
        int n = Libc.EpollWait(_epfd, _events, MaxEvents, 0);
        return n > 0 && Dispatch(n);
    }

    private bool AnyUnmasked()
    {
        foreach (var registration in Volatile.Read(ref _slots))
        {
            if (registration is not null && (Volatile.Read(ref registration.State) & Masked) == 0)
                return true;
        }
        return false;
    }

    /// <summary>
    /// Makes <paramref name="handler"/> the interrupt of <paramref name="fd"/>, armed at once. The waiter does not own
    /// the descriptor: unregister it before closing it.
    /// </summary>
    public void Register(int fd, IIrqHandler handler)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfDisposed();
        lock (_registrationLock)
        {
            // The copy is the one lookup: a descriptor already in it is refused before anything is published.
            var byFd = new Dictionary<int, Registration>(_byFd);
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(byFd, fd, out bool exists);
            if (exists)
                throw new ArgumentException($"fd {fd} is already registered with this waiter", nameof(fd));
            int slot = Array.IndexOf(_slots, null);
            var slots = _slots;
            if (slot < 0)
            {
                slot = slots.Length;
                Array.Resize(ref slots, Math.Max(4, slots.Length * 2));
            }
            else
            {
                slots = (Registration?[])slots.Clone();
            }
            // A fresh generation per registration: an event harvested for an earlier owner of the slot is ignored.
            var registration = new Registration(fd, ((ulong)++_lastGeneration << 32) | (uint)slot, handler);
            slots[slot] = registration;
            entry = registration;
            // Published before the descriptor is armed, so its first event already finds its handler.
            Volatile.Write(ref _slots, slots);
            Volatile.Write(ref _byFd, byFd);
            UpdateRingIrq();
            byte* ev = stackalloc byte[16];
            Libc.SetEpollEvent(ev, Armed, registration.Key);
            if (Libc.EpollCtl(_epfd, Libc.EPOLL_CTL_ADD, fd, ev) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                Remove(registration);
                throw new IOException($"epoll_ctl ADD fd {fd}: {Errno.Describe(errno)}");
            }
        }
    }

    /// <summary>
    /// Removes the interrupt of <paramref name="fd"/>; unknown descriptors are ignored. Called from another thread it can
    /// race with an event the owner has already collected, whose handler then runs once more.
    /// </summary>
    public void Unregister(int fd)
    {
        lock (_registrationLock)
        {
            if (!_byFd.TryGetValue(fd, out var registration))
                return;
            // ENOENT or EBADF only mean the kernel already forgot the descriptor (closed first); either way it is gone.
            if ((Volatile.Read(ref _users) & Closing) == 0)
                Libc.EpollCtl(_epfd, Libc.EPOLL_CTL_DEL, fd, null);
            bool wasRing = registration == _ringIrq;
            Remove(registration);
            // Its replies must not wait for a ring sleep that will not come.
            if (wasRing)
                ((IRingIrq)registration.Handler).SubmitQueued();
        }
    }

    /// <summary>Unmasks the interrupt of <paramref name="fd"/> (the NAPI completed); fires again at once if data is still queued.</summary>
    public void Rearm(int fd) => Rearm(fd, drained: false);

    /// <summary>
    /// Unmasks the interrupt of <paramref name="fd"/>. <paramref name="drained"/>: the descriptor was read until EAGAIN
    /// after the interrupt fired, so unless an edge came while it was masked, nothing unread is left that would not
    /// raise an edge of its own, and the unmask needs no syscall.
    /// </summary>
    public void Rearm(int fd, bool drained)
    {
        if (!Volatile.Read(ref _byFd).TryGetValue(fd, out var registration))
            return;
        if (drained && Interlocked.CompareExchange(ref registration.State, 0, Masked) == Masked)
            return;
        lock (registration.Gate)
        {
            // Unmasked before the kernel is asked: an event its level check reports must find the interrupt armed.
            Interlocked.Exchange(ref registration.State, 0);
            Modify(registration, Armed);
        }
    }

    /// <summary>epoll_ctl(MOD) calls made to unmask or mask interrupts so far.</summary>
    internal long RearmSyscalls => Volatile.Read(ref _rearmSyscalls);

    /// <summary>
    /// Closes the epoll instance and the doorbell once no <see cref="Wake"/> or <see cref="Rearm(int, bool)"/> is inside a
    /// syscall on them, so a late wake can never write into a reused descriptor number. The owner must have stopped waiting.
    /// </summary>
    public void Dispose()
    {
        if ((Interlocked.Or(ref _users, Closing) & Closing) != 0)
            return;
        var spin = default(SpinWait);
        while ((Volatile.Read(ref _users) & ~Closing) != 0)
            spin.SpinOnce();
        Release();
        GC.SuppressFinalize(this);
    }

    private bool Dispatch(int count)
    {
        bool fired = false;
        var slots = Volatile.Read(ref _slots);
        for (int i = 0; i < count; i++)
        {
            ulong key = Libc.EpollEventData(_events, i);
            if (key == DoorbellKey)
            {
                DrainDoorbell();
                continue;
            }
            uint slot = (uint)key;
            if (slot < (uint)slots.Length && slots[slot] is { } registration && registration.Key == key && Fire(registration))
            {
                registration.Handler.OnIrq();
                fired = true;
            }
        }
        return fired;
    }

    /// <summary>
    /// An edge of <paramref name="registration"/>: true when it was armed (now masked, its handler runs). The first edge
    /// while masked is remembered and masks the kernel registration too (one-shot), so a flood stops waking the owner.
    /// </summary>
    private bool Fire(Registration registration)
    {
        while (true)
        {
            int state = Volatile.Read(ref registration.State);
            if ((state & Masked) == 0)
            {
                if (Interlocked.CompareExchange(ref registration.State, state | Masked, state) == state)
                    return true;
                continue;
            }
            if ((state & EdgeWhileMasked) != 0)
                return false;
            if (Interlocked.CompareExchange(ref registration.State, state | EdgeWhileMasked, state) != state)
                continue;
            lock (registration.Gate)
            {
                // An unmask that got in first re-armed the kernel registration; masking it now would lose that interrupt.
                state = Volatile.Read(ref registration.State);
                if ((state & Masked) != 0 && (state & KernelOneShot) == 0)
                {
                    Interlocked.Or(ref registration.State, KernelOneShot);
                    Modify(registration, Armed | Libc.EPOLLONESHOT);
                }
            }
            return false;
        }
    }

    /// <summary>epoll_ctl(MOD) of a registered descriptor, under its gate; a descriptor unregistered or closed meanwhile is ignored.</summary>
    private void Modify(Registration registration, uint events)
    {
        if (!EnterSyscall())
            return;
        byte* ev = stackalloc byte[16];
        Libc.SetEpollEvent(ev, events, registration.Key);
        int rc = Libc.EpollCtl(_epfd, Libc.EPOLL_CTL_MOD, registration.Fd, ev);
        int errno = rc != 0 ? Marshal.GetLastPInvokeError() : 0;
        ExitSyscall();
        Interlocked.Increment(ref _rearmSyscalls);
        // ENOENT/EBADF: an Unregister or close won the race, and an unregistered descriptor has nothing to rearm.
        if (rc != 0 && errno != Errno.ENOENT && errno != Errno.EBADF)
            throw new IOException($"epoll_ctl MOD fd {registration.Fd}: {Errno.Describe(errno)}");
    }

    private bool RingDoorbell()
    {
        if (!EnterSyscall())
            return false;
        ulong one = 1;
        // Cannot fail short of 2^64 - 2 unread rings; the doorbell is drained whenever it is seen.
        Libc.Write(_doorbell, &one, sizeof(ulong));
        ExitSyscall();
        return true;
    }

    private void DrainDoorbell()
    {
        ulong count;
        Libc.Read(_doorbell, &count, sizeof(ulong));
    }

    private void Remove(Registration registration)
    {
        var slots = (Registration?[])_slots.Clone();
        slots[(uint)registration.Key] = null;
        var byFd = new Dictionary<int, Registration>(_byFd);
        byFd.Remove(registration.Fd);
        Volatile.Write(ref _slots, slots);
        Volatile.Write(ref _byFd, byFd);
        UpdateRingIrq();
    }

    /// <summary>
    /// The registration the owner may sleep in: the only one, when its handler is a ring that supports it. An owner
    /// asleep in a ring that stops being the one is woken, to watch the sources in epoll from now on.
    /// </summary>
    private void UpdateRingIrq()
    {
        var only = _byFd.Count == 1 ? _byFd.Values.First() : null;
        var next = only?.Handler is IRingIrq { CanSleepInRing: true } ? only : null;
        var previous = Interlocked.Exchange(ref _ringIrq, next);
        if (previous is not null && previous != next)
            Wake();
    }

    /// <summary>Whether <paramref name="handler"/> is the interrupt the owner sleeps in (its replies may then wait for that sleep).</summary>
    internal bool SleepsIn(IIrqHandler handler) => Volatile.Read(ref _ringIrq)?.Handler == handler;

    private bool EnterSyscall()
    {
        if ((Interlocked.Increment(ref _users) & Closing) == 0)
            return true;
        Interlocked.Decrement(ref _users);
        return false;
    }

    private void ExitSyscall() => Interlocked.Decrement(ref _users);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf((Volatile.Read(ref _users) & Closing) != 0, this);

    private void Release()
    {
        if (_events is null)
            return;
        Libc.Close(_doorbell);
        Libc.Close(_epfd);
        NativeMemory.Free(_events);
    }

    private sealed class Registration(int fd, ulong key, IIrqHandler handler)
    {
        public int Fd { get; } = fd;

        /// <summary>The epoll_data of the descriptor: slot in the low half, generation in the high half.</summary>
        public ulong Key { get; } = key;

        public IIrqHandler Handler { get; } = handler;

        /// <summary>Serialises the epoll_ctl(MOD) calls of unmask and mask with the state they were decided on.</summary>
        public Lock Gate { get; } = new();

        /// <summary><see cref="Masked"/>, <see cref="EdgeWhileMasked"/>, <see cref="KernelOneShot"/>.</summary>
        public int State;
    }
}
