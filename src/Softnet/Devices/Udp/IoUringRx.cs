using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Softnet.Core;
using Softnet.Interop;

namespace Softnet.Devices.Udp;

/// <summary>
/// One UDP queue's io_uring: a multishot RECVMSG on the queue's socket over a provided-buffer ring whose buffers are
/// pooled packets. The kernel picks a buffer per datagram and posts one completion per datagram; a completion makes
/// the ring's fd readable, which is the queue's interrupt. A poll reaps completions, takes the packets out of the
/// ring and posts fresh ones in their slots, and re-arms the RECVMSG when the kernel ended it (out of buffers).
/// </summary>
/// <remarks>
/// Each buffer starts with the kernel's io_uring_recvmsg_out, then the source address, then the control message
/// (SO_RXQ_OVFL), then the payload, which the packet's data then points at (<see cref="HeaderBytes"/> into its
/// buffer) rather than being moved; a datagram may therefore be at most <see cref="HeaderBytes"/> shorter than the
/// packet buffer before it counts as truncated.
/// Replies can leave through the ring too: SENDMSG requests queued by <see cref="QueueSend"/> are submitted right away
/// (<see cref="SubmitQueued"/>), and what the kernel did not take then by the io_uring_enter the owner thread sleeps
/// in (<see cref="WaitSubmitting"/>). They are MSG_DONTWAIT (the kernel sends or fails them while submitting, so their buffers are free once
/// the submission queue's head has passed them) and post a completion only when they fail.
/// Not thread-safe: the queue serialises every call with one lock, so there is a single issuer at a time, except
/// <see cref="WaitSubmitting"/>, which runs outside it and submits only what <see cref="PrepareWait"/> handed it.
/// IORING_SETUP_SINGLE_ISSUER is not set because the NAPI's owner moves between threads (softirq, threaded NAPI, busy
/// poll, hotplug).
/// </remarks>
internal sealed unsafe class IoUringRx : IDisposable
{
    /// <summary>msg_namelen given to the kernel: room for sockaddr_in6, rounded up so the control message is aligned.</summary>
    private const int NameBytes = 32;

    private const ulong RecvTag = 1;
    private const ulong CancelTag = 2;
    private const ulong KickTag = 3;
    private const ulong SendTag = 4;

    /// <summary>The doorbell poll's tag is this plus its arming's generation, so an old poll's end is told apart.</summary>
    private const ulong DoorbellTag = 1UL << 32;

    /// <summary>Submission entries kept free of replies for the ring's own requests (re-arm, cancels, the doorbell poll).</summary>
    private const int ControlSqes = 4;

    private const ushort BufferGroup = 0;

    private static readonly int ControlBytes = (int)Libc.CmsgSpace(sizeof(uint));

    private readonly int _socketFd;
    private readonly Packet?[] _posted;
    private readonly Packet[] _fresh;
    private readonly Stack<ushort> _emptySlots;

    private int _fd;
    private byte* _rings;
    private nuint _ringsBytes;
    private Libc.IoUringSqe* _sqes;
    private nuint _sqesBytes;
    private uint* _sqHead;
    private uint* _sqTail;
    private uint* _sqArray;
    private uint _sqMask;
    private uint _sqEntries;
    private uint _sqLocalTail;
    private uint _sqUnsubmitted;
    private int _unsubmittedSends;
    private uint _sendsEnd;
    private bool _canWait;
    private int _doorbellFd = -1;
    private int _doorbellBy;
    private ulong _doorbellTag = DoorbellTag;
    private uint* _cqHead;
    private uint* _cqTail;
    private uint _cqMask;
    private Libc.IoUringCqe* _cqes;
    private Libc.IoUringBuf* _bufRing;
    private nuint _bufRingBytes;
    private ushort _bufTail;
    private Libc.MsgHdr* _msg;
    private bool _armed;
    private bool _stopped = true;
    private bool _cancelling;
    private int _armedBy;

    private readonly int _sendCapacity;

    private IoUringRx(int socketFd, int slots, int sendCapacity)
    {
        _socketFd = socketFd;
        _sendCapacity = sendCapacity;
        _posted = new Packet?[slots];
        _fresh = new Packet[slots];
        _emptySlots = new Stack<ushort>(slots);
        for (int i = slots - 1; i >= 0; i--)
            _emptySlots.Push((ushort)i);
    }

    ~IoUringRx() => Free();

    /// <summary>Bytes in front of the payload in every buffer: io_uring_recvmsg_out, the address and the control message.</summary>
    public static int HeaderBytes => sizeof(Libc.IoUringRecvmsgOut) + NameBytes + ControlBytes;

    /// <summary>The ring's fd: readable while completions wait, the queue's interrupt.</summary>
    public int Fd => _fd;

    /// <summary>Whether the multishot RECVMSG is in the kernel; it ends on ENOBUFS, cancellation or an error.</summary>
    public bool Armed => _armed;

    /// <summary>Whether <see cref="Stop"/> ended receiving through the ring (until the next <see cref="Start"/>).</summary>
    public bool Stopped => _stopped;

    /// <summary>Buffers the kernel may fill now.</summary>
    public int PostedSlots => _posted.Length - _emptySlots.Count;

    /// <summary>Whether the kernel can take replies and the owner's wait through this ring (IORING_FEAT_EXT_ARG and CQE_SKIP, Linux 5.17).</summary>
    public bool CanWait => _canWait;

    /// <summary>Whether the calling thread armed the RECVMSG, so the kernel's receive work for it runs on this thread.</summary>
    public bool OwnedByCaller => _armed && !_stopped && _armedBy == Environment.CurrentManagedThreadId;

    /// <summary>Replies queued and not yet handed to the kernel.</summary>
    public int UnsubmittedSends => _unsubmittedSends;

    /// <summary>Whether every reply queued so far has been taken (sent or failed) by the kernel, so its buffer is free.</summary>
    public bool SendsTaken => _unsubmittedSends == 0 && (int)(Volatile.Read(ref *_sqHead) - _sendsEnd) >= 0;

    /// <summary>Whether <paramref name="count"/> more replies fit in the submission queue next to the ring's own requests.</summary>
    public bool HasRoomForSends(int count) => _sqLocalTail - Volatile.Read(ref *_sqHead) + (uint)count + ControlSqes <= _sqEntries;

    /// <summary>
    /// A ring for <paramref name="socketFd"/> with room for <paramref name="slots"/> buffers (a power of two) and
    /// <paramref name="sendCapacity"/> queued replies, or null
    /// with the reason (an errno from setup or buffer registration: seccomp and io_uring_disabled show as EPERM,
    /// a kernel without io_uring as ENOSYS).
    /// </summary>
    public static IoUringRx? TryCreate(int socketFd, int slots, int sendCapacity, out string? whyNot)
    {
        var rx = new IoUringRx(socketFd, slots, sendCapacity);
        whyNot = rx.Setup();
        if (whyNot is null)
            return rx;
        rx.Dispose();
        return null;
    }

    /// <summary>Buffer slots for a queue of NAPI weight <paramref name="weight"/>: two polls' worth, so the kernel keeps receiving while one is handed up.</summary>
    public static int SlotsFor(int weight) => (int)Math.Min(1u << 15, BitOperations.RoundUpToPowerOf2((uint)(2 * weight)));

    /// <summary>
    /// Posts buffers from <paramref name="pool"/> into the empty slots and raises the first interrupt with a NOP
    /// completion; the poll it causes arms the RECVMSG. Returns 0 or -errno.
    /// </summary>
    /// <remarks>
    /// The kernel runs a multishot request's receive work on the task that submitted it, signalling that task for
    /// every datagram, so the RECVMSG is always armed from a poll, on the thread that takes the completions, never
    /// from the thread that starts the device.
    /// </remarks>
    public int Start(PacketPool pool)
    {
        _stopped = false;
        Refill(pool);
        ref var sqe = ref NextSqe();
        sqe.Opcode = Libc.IORING_OP_NOP;
        sqe.Fd = -1;
        sqe.UserData = KickTag;
        Publish();
        int rc = Submit();
        return rc < 0 ? rc : 0;
    }

    /// <summary>
    /// Moves the RECVMSG to the calling thread when another one armed it: cancels it, and the poll that reaps the
    /// cancellation re-arms it from its own thread. The kernel does the receive work of a multishot request on the
    /// thread that armed it, so it belongs to the thread that takes the completions (busy poller, NAPI thread, the
    /// softirq thread of a CPU the interrupt moved to).
    /// </summary>
    public void FollowPoller()
    {
        if (!_armed || _stopped || _cancelling || _armedBy == Environment.CurrentManagedThreadId)
            return;
        Cancel();
    }

    /// <summary>
    /// Cancels the RECVMSG and keeps it from being re-armed; completions already posted stay to be reaped. Once
    /// <see cref="Armed"/> is false (seen by a reap) nothing more arrives through the ring and the socket can be read
    /// directly without reordering.
    /// </summary>
    public void Stop()
    {
        if (_stopped)
            return;
        _stopped = true;
        if (_armed && !_cancelling)
            Cancel();
    }

    /// <summary>
    /// Waits until the RECVMSG's next completion is posted (a datagram, or its end); the completions of other requests
    /// ahead of it are taken on the way, <paramref name="sendErrors"/> counting failed replies among them.
    /// </summary>
    public void WaitForReceive(out int sendErrors)
    {
        sendErrors = 0;
        while (true)
        {
            TakeOthers(ref sendErrors);
            if (Volatile.Read(ref *_cqTail) != *_cqHead)
                return;
            int rc = Libc.IoUringEnter(_fd, 0, 1, Libc.IORING_ENTER_GETEVENTS);
            if (rc < 0 && rc != -Errno.EINTR)
                throw new InvalidOperationException($"io_uring_enter: {Errno.Describe(-rc)}");
        }
    }

    /// <summary>
    /// Takes up to <paramref name="packets"/>.Length received datagrams off the completion ring, each packet's
    /// payload offset and length, source, truncation and drop counter filled in. Returns how many.
    /// <paramref name="truncated"/> and <paramref name="drops"/> (-1: no SO_RXQ_OVFL message) are per packet;
    /// <paramref name="error"/> is the errno of a RECVMSG that failed other than by running out of buffers or being
    /// cancelled, else 0; <paramref name="sendErrors"/> counts queued replies the kernel failed.
    /// </summary>
    public int Reap(Span<Packet> packets, Span<bool> truncated, Span<long> drops, out int error, out int sendErrors)
    {
        error = 0;
        sendErrors = 0;
        uint head = *_cqHead;
        uint tail = Volatile.Read(ref *_cqTail);
        int n = 0;
        while (head != tail && n < packets.Length)
        {
            ref var cqe = ref _cqes[head & _cqMask];
            head++;
            if (cqe.UserData != RecvTag)
            {
                Other(ref cqe, ref sendErrors);
                continue;
            }
            if ((cqe.Flags & Libc.IORING_CQE_F_MORE) == 0)
            {
                _armed = false;
                _cancelling = false;
            }
            if (cqe.Res < 0)
            {
                if (cqe.Res != -Errno.ENOBUFS && cqe.Res != -Errno.ECANCELED)
                    error = -cqe.Res;
                continue;
            }
            if ((cqe.Flags & Libc.IORING_CQE_F_BUFFER) == 0)
                continue;
            ushort slot = (ushort)(cqe.Flags >> Libc.IORING_CQE_BUFFER_SHIFT);
            var p = _posted[slot]!;
            _posted[slot] = null;
            _emptySlots.Push(slot);
            Unpack(p, cqe.Res, out truncated[n], out drops[n]);
            packets[n++] = p;
        }
        Volatile.Write(ref *_cqHead, head);
        return n;
    }

    /// <summary>Whether completions wait to be reaped.</summary>
    public bool HasCompletions => Volatile.Read(ref *_cqTail) != *_cqHead;

    /// <summary>
    /// After a reap: refills the consumed slots from <paramref name="pool"/> and re-arms an ended RECVMSG unless
    /// stopped. Returns 0 or the -errno of the re-arm.
    /// </summary>
    public int Replenish(PacketPool pool)
    {
        Refill(pool);
        return !_armed && !_stopped && PostedSlots > 0 ? Arm() : 0;
    }

    /// <summary>Closes the ring and returns the packets still posted in it to their pools.</summary>
    public void Dispose()
    {
        Free();
        foreach (var p in _posted)
        {
            if (p is not null)
                NetStack.FreeDropped(p);
        }
        Array.Clear(_posted);
        GC.SuppressFinalize(this);
    }

    private string? Setup()
    {
        var p = new Libc.IoUringParams { Flags = Libc.IORING_SETUP_CQSIZE, CqEntries = (uint)(2 * _posted.Length) };
        int fd = Libc.IoUringSetup(BitOperations.RoundUpToPowerOf2((uint)(_sendCapacity + ControlSqes)), &p);
        if (fd < 0)
            return $"io_uring_setup: {Errno.Describe(-fd)}";
        _fd = fd;
        if ((p.Features & Libc.IORING_FEAT_SINGLE_MMAP) == 0 || (p.Features & Libc.IORING_FEAT_NODROP) == 0)
            return "io_uring lacks IORING_FEAT_SINGLE_MMAP or IORING_FEAT_NODROP (kernel older than 5.5)";
        _canWait = (p.Features & Libc.IORING_FEAT_EXT_ARG) != 0 && (p.Features & Libc.IORING_FEAT_CQE_SKIP) != 0;
        _sqEntries = p.SqEntries;
        _ringsBytes = Math.Max(p.SqOff.Array + (p.SqEntries * sizeof(uint)), p.CqOff.Cqes + (p.CqEntries * (uint)sizeof(Libc.IoUringCqe)));
        _rings = (byte*)Libc.Mmap(null, _ringsBytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, Libc.IORING_OFF_SQ_RING);
        if (_rings == Libc.MapFailed)
        {
            _rings = null;
            return $"mmap of the io_uring rings: {Errno.Describe(Marshal.GetLastPInvokeError())}";
        }
        _sqesBytes = p.SqEntries * (nuint)sizeof(Libc.IoUringSqe);
        _sqes = (Libc.IoUringSqe*)Libc.Mmap(null, _sqesBytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, Libc.IORING_OFF_SQES);
        if (_sqes == Libc.MapFailed)
        {
            _sqes = null;
            return $"mmap of the io_uring SQEs: {Errno.Describe(Marshal.GetLastPInvokeError())}";
        }
        _sqHead = (uint*)(_rings + p.SqOff.Head);
        _sqTail = (uint*)(_rings + p.SqOff.Tail);
        _sqArray = (uint*)(_rings + p.SqOff.Array);
        _sqMask = *(uint*)(_rings + p.SqOff.RingMask);
        _sqLocalTail = *_sqTail;
        _cqHead = (uint*)(_rings + p.CqOff.Head);
        _cqTail = (uint*)(_rings + p.CqOff.Tail);
        _cqMask = *(uint*)(_rings + p.CqOff.RingMask);
        _cqes = (Libc.IoUringCqe*)(_rings + p.CqOff.Cqes);

        _bufRingBytes = (nuint)((_posted.Length * sizeof(Libc.IoUringBuf) + Environment.SystemPageSize - 1) & -Environment.SystemPageSize);
        _bufRing = (Libc.IoUringBuf*)Libc.Mmap(null, _bufRingBytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (_bufRing == Libc.MapFailed)
        {
            _bufRing = null;
            return $"mmap of the buffer ring: {Errno.Describe(Marshal.GetLastPInvokeError())}";
        }
        var reg = new Libc.IoUringBufReg { RingAddr = (ulong)_bufRing, RingEntries = (uint)_posted.Length, Bgid = BufferGroup };
        int rc = Libc.IoUringRegister(fd, Libc.IORING_REGISTER_PBUF_RING, &reg, 1);
        if (rc < 0)
            return $"IORING_REGISTER_PBUF_RING: {Errno.Describe(-rc)}";

        _msg = (Libc.MsgHdr*)NativeMemory.AllocZeroed((nuint)sizeof(Libc.MsgHdr));
        _msg->NameLength = NameBytes;
        _msg->ControlLength = (nuint)ControlBytes;
        return null;
    }

    private void Refill(PacketPool pool)
    {
        int missing = _emptySlots.Count;
        if (missing == 0)
            return;
        var fresh = _fresh.AsSpan(0, missing);
        int got = pool.Rent(fresh);
        ushort mask = (ushort)(_posted.Length - 1);
        for (int i = 0; i < got; i++)
        {
            ushort slot = _emptySlots.Pop();
            var p = fresh[i];
            _posted[slot] = p;
            ref var entry = ref _bufRing[(ushort)(_bufTail + i) & mask];
            entry.Addr = (ulong)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(p.RawBuffer));
            entry.Len = (uint)p.RawBuffer.Length;
            entry.Bid = slot;
        }
        fresh.Clear();
        _bufTail += (ushort)got;
        // The ring's tail is entry 0's last u16; the kernel reads it with acquire semantics.
        Volatile.Write(ref *(ushort*)((byte*)_bufRing + 14), _bufTail);
    }

    private void Cancel()
    {
        QueueCancel(RecvTag);
        _cancelling = Submit() >= 0;
    }

    /// <summary>Queues the cancellation of the request tagged <paramref name="target"/>; the next enter submits it.</summary>
    private void QueueCancel(ulong target)
    {
        ref var sqe = ref NextSqe();
        sqe.Opcode = Libc.IORING_OP_ASYNC_CANCEL;
        sqe.Fd = -1;
        sqe.Addr = target;
        sqe.UserData = CancelTag;
        Publish();
    }

    private int Arm()
    {
        ref var sqe = ref NextSqe();
        sqe.Opcode = Libc.IORING_OP_RECVMSG;
        sqe.Flags = Libc.IOSQE_BUFFER_SELECT;
        sqe.IoPrio = Libc.IORING_RECV_MULTISHOT;
        sqe.Fd = _socketFd;
        sqe.Addr = (ulong)_msg;
        sqe.BufGroup = BufferGroup;
        sqe.UserData = RecvTag;
        _armed = true;
        _cancelling = false;
        _armedBy = Environment.CurrentManagedThreadId;
        Publish();
        int rc = Submit();
        if (rc < 0)
            _armed = false;
        return rc < 0 ? rc : 0;
    }

    /// <summary>
    /// Queues a SENDMSG of <paramref name="msg"/> (a reply) on the ring's socket; it leaves with the next
    /// io_uring_enter. The caller checked <see cref="HasRoomForSends"/>.
    /// </summary>
    public void QueueSend(Libc.MsgHdr* msg)
    {
        ref var sqe = ref NextSqe();
        sqe.Opcode = Libc.IORING_OP_SENDMSG;
        sqe.Flags = Libc.IOSQE_CQE_SKIP_SUCCESS;
        sqe.Fd = _socketFd;
        sqe.Addr = (ulong)msg;
        sqe.Len = 1;
        // MSG_DONTWAIT: a full send buffer fails the request at once (REQ_F_NOWAIT) instead of parking it on a poll
        // with the reply's buffer still referenced.
        sqe.OpFlags = Libc.MSG_DONTWAIT;
        sqe.UserData = SendTag;
        Publish();
        _unsubmittedSends++;
        _sendsEnd = _sqLocalTail;
    }

    /// <summary>
    /// Hands what is queued to the kernel without waiting (a batch's replies, or a reply batch someone needs back).
    /// Returns the replies the kernel took, or -errno.
    /// </summary>
    public int SubmitQueued()
    {
        if (_sqUnsubmitted == 0)
            return 0;
        int sends = _unsubmittedSends;
        int rc = Submit();
        return rc < 0 ? rc : sends - _unsubmittedSends;
    }

    /// <summary>
    /// Before the calling thread waits in this ring: false when it cannot (it did not arm the RECVMSG, receiving
    /// stopped, or the kernel lacks the wait's features). Otherwise takes the completions at the head that are not
    /// datagrams (the doorbell's, failed replies), arms the doorbell's poll for this thread if it is not, and hands
    /// over the queued requests the wait submits (<paramref name="toSubmit"/>, of which <paramref name="sends"/> are
    /// replies). <paramref name="ready"/>: a datagram's completion is waiting, so the caller should not sleep; what
    /// was queued is then submitted at once, <paramref name="sentNow"/> of it replies.
    /// </summary>
    public bool PrepareWait(int doorbellFd, out bool ready, out bool doorbell, out int sendErrors, out int sentNow, out uint toSubmit, out int sends)
    {
        ready = doorbell = false;
        sendErrors = 0;
        sentNow = 0;
        toSubmit = 0;
        sends = 0;
        if (!_canWait || !OwnedByCaller)
            return false;
        doorbell = TakeOthers(ref sendErrors);
        if (_doorbellFd != doorbellFd || _doorbellBy != Environment.CurrentManagedThreadId)
            ArmDoorbell(doorbellFd);
        ready = HasCompletions;
        if (ready)
        {
            sentNow = Math.Max(0, SubmitQueued());
            return true;
        }
        toSubmit = _sqUnsubmitted;
        sends = _unsubmittedSends;
        _sqUnsubmitted = 0;
        _unsubmittedSends = 0;
        return true;
    }

    /// <summary>
    /// The owner's sleep: one io_uring_enter that submits <paramref name="toSubmit"/> requests and waits for a
    /// completion, the doorbell's poll or <paramref name="timeoutNs"/>. Called without the queue's lock (other
    /// threads may queue requests meanwhile; each is submitted by exactly one enter). Returns the requests the kernel
    /// consumed or -errno (-ETIME: the time ran out, -EINTR: a signal).
    /// </summary>
    public int WaitSubmitting(uint toSubmit, long timeoutNs) => Libc.IoUringSubmitAndWait(_fd, toSubmit, timeoutNs);

    /// <summary>
    /// After <see cref="WaitSubmitting"/> returned <paramref name="rc"/>: requests it did not consume stay queued for
    /// the next enter. Takes the completions at the head that are not datagrams. Returns the replies the kernel took.
    /// </summary>
    public int AfterWait(int rc, uint toSubmit, int sends, out bool doorbell, out int sendErrors)
    {
        uint consumed = rc >= 0 ? Math.Min((uint)rc, toSubmit) : rc == -Errno.ETIME || rc == -Errno.EINTR ? toSubmit : 0;
        // Submission happens before the wait, so a wait that timed out or was interrupted consumed everything.
        uint left = toSubmit - consumed;
        int sent = (int)Math.Min(consumed, (uint)sends);
        _sqUnsubmitted += left;
        _unsubmittedSends += sends - sent;
        sendErrors = 0;
        doorbell = TakeOthers(ref sendErrors);
        return sent;
    }

    /// <summary>Takes the completions at the head of the ring that are not datagrams; true when the doorbell's poll fired.</summary>
    private bool TakeOthers(ref int sendErrors)
    {
        uint head = *_cqHead;
        uint tail = Volatile.Read(ref *_cqTail);
        bool doorbell = false;
        while (head != tail)
        {
            ref var cqe = ref _cqes[head & _cqMask];
            if (cqe.UserData == RecvTag)
                break;
            doorbell |= Other(ref cqe, ref sendErrors);
            head++;
        }
        Volatile.Write(ref *_cqHead, head);
        return doorbell;
    }

    /// <summary>A completion that is not a datagram's: a failed reply is counted, a doorbell poll that ended is re-armed at the next wait. True for a doorbell ring.</summary>
    private bool Other(ref Libc.IoUringCqe cqe, ref int sendErrors)
    {
        if (cqe.UserData == SendTag)
        {
            sendErrors++;
            return false;
        }
        if (cqe.UserData < DoorbellTag)
            return false;
        if (cqe.UserData == _doorbellTag && (cqe.Flags & Libc.IORING_CQE_F_MORE) == 0)
            _doorbellFd = -1;
        return cqe.Res > 0;
    }

    /// <summary>
    /// A multishot poll on the waiting thread's doorbell (an eventfd that <c>Wake</c> writes), armed from that thread
    /// so the kernel runs its wake-up work there; a poll armed earlier for another doorbell or thread is cancelled.
    /// </summary>
    private void ArmDoorbell(int doorbellFd)
    {
        if (_doorbellFd >= 0)
            QueueCancel(_doorbellTag);
        _doorbellTag++;
        ref var sqe = ref NextSqe();
        sqe.Opcode = Libc.IORING_OP_POLL_ADD;
        sqe.Fd = doorbellFd;
        sqe.Len = Libc.IORING_POLL_ADD_MULTI;
        sqe.OpFlags = Libc.EPOLLIN;
        sqe.UserData = _doorbellTag;
        Publish();
        _doorbellFd = doorbellFd;
        _doorbellBy = Environment.CurrentManagedThreadId;
    }

    /// <summary>The next submission entry, cleared; <see cref="Publish"/> makes it visible once filled.</summary>
    private ref Libc.IoUringSqe NextSqe()
    {
        uint index = _sqLocalTail & _sqMask;
        ref var sqe = ref _sqes[index];
        sqe = default;
        _sqArray[index] = index;
        return ref sqe;
    }

    /// <summary>Publishes the entry <see cref="NextSqe"/> returned: the kernel may read it from now on.</summary>
    private void Publish()
    {
        _sqLocalTail++;
        _sqUnsubmitted++;
        Volatile.Write(ref *_sqTail, _sqLocalTail);
    }

    /// <summary>Submits every published request not yet submitted; returns how many the kernel took, or -errno.</summary>
    private int Submit()
    {
        uint count = _sqUnsubmitted;
        int rc;
        do
            rc = Libc.IoUringEnter(_fd, count, 0, 0);
        while (rc == -Errno.EINTR);
        if (rc < 0)
            return rc;
        uint consumed = Math.Min((uint)rc, count);
        // The kernel consumes in order: the replies, always queued ahead of the request that submits them, go first.
        _unsubmittedSends -= (int)Math.Min(consumed, (uint)_unsubmittedSends);
        _sqUnsubmitted -= consumed;
        return rc;
    }

    private void Unpack(Packet p, int bytes, out bool truncated, out long drops)
    {
        byte* b = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(p.RawBuffer));
        var o = (Libc.IoUringRecvmsgOut*)b;
        int nameLength = (int)Math.Min(o->NameLength, (uint)Packet.MaxAddressBytes);
        new ReadOnlySpan<byte>(b + sizeof(Libc.IoUringRecvmsgOut), nameLength).CopyTo(p.RawAddress);
        p.AddressLength = nameLength;
        byte* control = b + sizeof(Libc.IoUringRecvmsgOut) + NameBytes;
        drops = MessageBatch.TryReadDropCounter(control, Math.Min(o->ControlLength, (uint)ControlBytes), out uint d) ? d : -1;
        truncated = (o->Flags & Libc.MSG_TRUNC) != 0;
        // The payload stays where the kernel put it, behind the header: no per-datagram move.
        p.SetPayload(HeaderBytes, Math.Min((int)o->PayloadLength, bytes - HeaderBytes));
    }

    private void Free()
    {
        if (_fd > 0)
        {
            // Closing the ring cancels the RECVMSG; the kernel lets go of the buffers with the ring.
            Libc.Close(_fd);
            _fd = 0;
        }
        if (_rings is not null)
            Libc.Munmap(_rings, _ringsBytes);
        if (_sqes is not null)
            Libc.Munmap(_sqes, _sqesBytes);
        if (_bufRing is not null)
            Libc.Munmap(_bufRing, _bufRingBytes);
        NativeMemory.Free(_msg);
        _rings = null;
        _sqes = null;
        _bufRing = null;
        _msg = null;
    }
}
