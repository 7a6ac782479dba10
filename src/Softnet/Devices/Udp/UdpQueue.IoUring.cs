using Softnet.Core;
using Softnet.Interop;
using Softnet.Scheduling;

namespace Softnet.Devices.Udp;

/// <summary>
/// The queue's io_uring backend: completions on the ring are the interrupt, a poll reaps them. When the ring is its
/// softirq thread's only interrupt, that thread sleeps in the ring, and the replies the queue's completing poll
/// produced are queued on the ring as SENDMSG requests and submitted at once (what the kernel does not take then,
/// that sleep's io_uring_enter submits).
/// </summary>
internal sealed partial class UdpQueue : IRingIrq
{
    private readonly IoUringRx? _ring;
    private readonly Lock _ringLock = new();
    private long _ringSends;
    private int _ringSleepers;
    private bool _ringClosed;

    /// <summary>Replies this queue's ring handed to the kernel (submitted with its owner's wait, or before their batch was needed again).</summary>
    internal long RingSends => Volatile.Read(ref _ringSends);

    /// <summary>The backend this queue receives with (io_uring only when its ring could be set up).</summary>
    public UdpBackend Backend => _ring is null ? UdpBackend.Epoll : UdpBackend.IoUring;

    /// <summary>Buffers posted in the ring for the kernel to fill; null with epoll.</summary>
    internal int? RingPostedSlots
    {
        get
        {
            if (_ring is null)
                return null;
            lock (_ringLock)
                return _ring.PostedSlots;
        }
    }

    /// <summary>The descriptor whose readiness is the interrupt: the ring's with io_uring, else the socket's.</summary>
    private int IrqFd => _ring?.Fd ?? Socket.Fd;

    /// <summary>Posts the ring's buffers from <paramref name="cpu"/>'s pool; the first poll arms its multishot RECVMSG.</summary>
    private void StartRing(SoftnetData cpu)
    {
        if (_ring is null)
            return;
        lock (_ringLock)
        {
            if (_ring.Start(cpu.Pool) is var rc and < 0)
                Stack.LogOnce($"{_device.Name} queue {Queue}: starting the io_uring ring failed: {Interop.Errno.Describe(-rc)}");
        }
    }

    /// <summary>
    /// Reaps up to <paramref name="budget"/> completions, refills the slots they used and re-arms the RECVMSG if the
    /// kernel ended it. A stopped ring (interrupt unregistered) is first emptied; what the socket still holds after
    /// its RECVMSG ended is then read with recvmmsg, in order behind it.
    /// </summary>
    private int PollRing(in BottomHalf bh, IoUringRx ring, int budget)
    {
        var cpu = bh.Cpu;
        int want = Math.Min(budget, _packets.Length);
        int n;
        bool drained;
        lock (_ringLock)
        {
            if (ring.Stopped && ring.Armed && !ring.HasCompletions)
            {
                ring.WaitForReceive(out int failed);
                CountRingSends(0, failed);
            }
            ring.FollowPoller();
            n = ring.Reap(_packets.AsSpan(0, want), _truncated, _drops, out int error, out int sendErrors);
            if (sendErrors != 0)
                _device.CountRingTx(0, sendErrors);
            if (error != 0)
                Stack.LogOnce($"{_device.Name} queue {Queue}: the io_uring recvmsg failed: {Interop.Errno.Describe(error)}");
            if (n == 0 && ring.Stopped && !ring.Armed && !ring.HasCompletions)
                return PollSocket(bh, budget);
            if (ring.Replenish(cpu.Pool) is var rc and < 0)
                Stack.LogOnce($"{_device.Name} queue {Queue}: re-arming the io_uring recvmsg failed: {Interop.Errno.Describe(-rc)}");
            // The ring's fd is readable while its completion queue is not empty, and every completion the kernel
            // posts wakes its pollers (an edge). Reaped empty with the RECVMSG in the kernel, the next datagram's
            // completion raises an edge of its own, so the unmask needs no epoll_ctl; checked after the re-arm,
            // which may have completed datagrams already queued in the socket.
            drained = ring.Armed && !ring.HasCompletions;
        }
        return PassUp(bh, Fill(cpu, n), n, n, budget, drained);
    }

    /// <summary>
    /// Cancels the ring's RECVMSG for good (until the queue starts again): what it already completed stays for the
    /// next polls, which then read the socket directly. For a queue being stopped and drained; an interrupt that only
    /// moves to another CPU leaves the ring armed, and the first poll there moves the RECVMSG to its thread.
    /// </summary>
    internal void StopRing()
    {
        if (_ring is null)
            return;
        lock (_ringLock)
            _ring.Stop();
    }

    bool IRingIrq.CanSleepInRing => _ring is { CanWait: true };

    bool IRingIrq.TrySleepInRing(int doorbellFd, long timeoutNs, out bool ready, out bool doorbell, out bool timedOut)
    {
        timedOut = false;
        var ring = _ring!;
        uint toSubmit;
        int sends;
        lock (_ringLock)
        {
            if (_ringClosed || !ring.PrepareWait(doorbellFd, out ready, out doorbell, out int failed, out int sentNow, out toSubmit, out sends))
            {
                ready = doorbell = false;
                return false;
            }
            CountRingSends(sentNow, failed);
            if (ready)
                return true;
            // Closing waits for this sleep to end before it unmaps the ring.
            _ringSleepers++;
        }
        int rc = ring.WaitSubmitting(toSubmit, timeoutNs);
        lock (_ringLock)
        {
            _ringSleepers--;
            int sent = ring.AfterWait(rc, toSubmit, sends, out bool rang, out int failed);
            CountRingSends(sent, failed);
            doorbell |= rang;
            ready = ring.HasCompletions;
        }
        timedOut = rc == -Errno.ETIME;
        if (rc < 0 && rc != -Errno.ETIME && rc != -Errno.EINTR)
            Stack.LogOnce($"{_device.Name} queue {Queue}: waiting in the io_uring ring failed: {Errno.Describe(-rc)}");
        return true;
    }

    void IRingIrq.SubmitQueued()
    {
        if (_ring is not { } ring)
            return;
        lock (_ringLock)
        {
            if (!_ringClosed && ring.UnsubmittedSends > 0)
                CountRingSends(Math.Max(0, ring.SubmitQueued()), 0);
        }
    }

    /// <summary>
    /// From this queue's completing poll: queues <paramref name="tx"/>'s replies on the ring and submits them when the
    /// calling thread armed the RECVMSG and is <paramref name="cpu"/>'s softirq thread, whose wait sleeps in this ring
    /// (and submits what the kernel did not take). False leaves them to sendmmsg.
    /// </summary>
    internal unsafe bool TryTakeTx(SoftnetData cpu, UdpTx tx)
    {
        var ring = _ring!;
        if (!ring.CanWait || !cpu.Ksoftirqd.IsCurrent || cpu.Ksoftirqd.Waiter is not EpollWaiter waiter || !waiter.SleepsIn(this))
            return false;
        lock (_ringLock)
        {
            if (_ringClosed || !ring.OwnedByCaller || !ring.HasRoomForSends(tx.Count))
                return false;
            for (int i = 0; i < tx.Count; i++)
                ring.QueueSend(tx.Message(i));
            tx.HeldBy = this;
            // Submitted now, right after the batch's handler, not with the owner's sleep after the rest of the
            // softirq pass: the reply leaves about a microsecond earlier for one io_uring_enter more per round trip,
            // which runs while the peer is busy with the reply. What the kernel does not take now (EAGAIN, EBUSY)
            // the sleep submits.
            int sent = ring.SubmitQueued();
            if (sent < 0)
                Stack.LogOnce($"{_device.Name} queue {Queue}: submitting replies to the io_uring ring failed: {Errno.Describe(-sent)}");
            CountRingSends(Math.Max(0, sent), 0);
        }
        return true;
    }

    /// <summary>Frees <paramref name="tx"/> when the kernel has taken every reply the ring held for it; false while it has not.</summary>
    internal bool TryReleaseTx(UdpTx tx)
    {
        lock (_ringLock)
        {
            if (!_ringClosed && !_ring!.SendsTaken)
                return false;
            tx.HeldBy = null;
            tx.Clear();
            return true;
        }
    }

    /// <summary>
    /// Frees <paramref name="tx"/> for new replies: submits what the ring still holds of it, and waits out an owner's
    /// sleep that is submitting it now (the kernel takes a submission before it waits).
    /// </summary>
    internal void ReleaseTx(UdpTx tx)
    {
        var spin = default(SpinWait);
        while (true)
        {
            lock (_ringLock)
            {
                if (!_ringClosed && _ring!.UnsubmittedSends > 0)
                {
                    int sent = _ring.SubmitQueued();
                    if (sent < 0)
                        Stack.LogOnce($"{_device.Name} queue {Queue}: submitting replies to the io_uring ring failed: {Errno.Describe(-sent)}");
                    CountRingSends(Math.Max(0, sent), 0);
                }
                if (_ringClosed || _ring!.SendsTaken)
                {
                    tx.HeldBy = null;
                    tx.Clear();
                    return;
                }
            }
            spin.SpinOnce();
        }
    }

    /// <summary>Caller holds the ring's lock.</summary>
    private void CountRingSends(int sent, int failed)
    {
        if (sent == 0 && failed == 0)
            return;
        _ringSends += sent;
        _device.CountRingTx(sent, failed);
    }

    /// <summary>
    /// Closes the ring once no owner sleeps in it (its interrupt is unregistered and receiving stopped, so a sleep
    /// still in progress was woken); replies it never submitted are TX drops.
    /// </summary>
    private void DisposeRing()
    {
        if (_ring is not { } ring)
            return;
        var spin = default(SpinWait);
        while (true)
        {
            lock (_ringLock)
            {
                _ringClosed = true;
                if (_ringSleepers == 0)
                {
                    _device.DropRingTx(ring.UnsubmittedSends);
                    ring.Dispose();
                    return;
                }
            }
            spin.SpinOnce();
        }
    }
}
