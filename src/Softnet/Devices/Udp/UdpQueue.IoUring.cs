using Softnet.Core;

namespace Softnet.Devices.Udp;

/// <summary>The queue's io_uring backend: completions on the ring are the interrupt, a poll reaps them.</summary>
internal sealed partial class UdpQueue
{
    private readonly IoUringRx? _ring;
    private readonly Lock _ringLock = new();

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
                ring.WaitForCompletion();
            ring.FollowPoller();
            n = ring.Reap(_packets.AsSpan(0, want), _truncated, _drops, out int error);
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
}
