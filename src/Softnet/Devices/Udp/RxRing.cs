using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Softnet.Core;
using Softnet.Interop;

namespace Softnet.Devices.Udp;

/// <summary>
/// A UDP queue's receive ring, kept like a NIC's RX descriptor ring: every slot holds a pooled packet whose buffer
/// and address field are posted to the kernel through a prepared mmsghdr, and stays posted between polls. A read
/// consumes slots from the head; only the consumed slots are filled again, with fresh packets, and only their
/// headers are prepared again. The kernel writes each datagram's source address straight into its packet.
/// </summary>
/// <remarks>
/// Slots [head, head + posted) (mod capacity) hold packets. recvmmsg needs contiguous headers, so a read that reaches
/// the end of the array continues from slot 0 with a second call, only when the first one filled all it asked for.
/// One thread uses a ring at a time (the NAPI's owner).
/// </remarks>
internal sealed unsafe class RxRing : IDisposable
{
    private static readonly nuint ControlBytes = Libc.CmsgSpace(sizeof(uint));

    private readonly Packet?[] _slots;
    private readonly Packet[] _fresh;
    private byte* _memory;
    private readonly Libc.MMsgHdr* _headers;
    private int _head;
    private int _posted;
    private int _received;

    public RxRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _slots = new Packet?[capacity];
        _fresh = new Packet[capacity];
        nuint headerBytes = (nuint)(capacity * sizeof(Libc.MMsgHdr));
        nuint iovBytes = (nuint)(capacity * sizeof(Libc.IoVec));
        _memory = (byte*)NativeMemory.AllocZeroed(headerBytes + iovBytes + ((nuint)capacity * ControlBytes));
        _headers = (Libc.MMsgHdr*)_memory;
        var iov = (Libc.IoVec*)(_memory + headerBytes);
        byte* control = _memory + headerBytes + iovBytes;
        for (int i = 0; i < capacity; i++)
        {
            ref var h = ref _headers[i].Header;
            h.Iov = iov + i;
            h.IovLength = 1;
            h.Control = control + ((nuint)i * ControlBytes);
        }
    }

    ~RxRing() => Free();

    public int Capacity { get; }

    /// <summary>Slots holding a packet for the kernel to fill.</summary>
    public int Posted => _posted;

    /// <summary>Slot headers prepared so far (one per packet posted): the work a poll does beyond the datagrams it read.</summary>
    public long SlotsPrepared { get; private set; }

    /// <summary>Posts packets from <paramref name="pool"/> into the empty slots, behind the posted ones; returns how many.</summary>
    public int Refill(PacketPool pool)
    {
        int missing = Capacity - _posted;
        if (missing == 0)
            return 0;
        var fresh = _fresh.AsSpan(0, missing);
        int got = pool.Rent(fresh);
        int slot = Wrap(_head + _posted);
        for (int i = 0; i < got; i++)
        {
            Post(slot, fresh[i]);
            slot = Wrap(slot + 1);
        }
        fresh.Clear();
        _posted += got;
        SlotsPrepared += got;
        return got;
    }

    /// <summary>
    /// recvmmsg(MSG_DONTWAIT) into up to <paramref name="max"/> posted slots from the head: returns the datagrams
    /// received (0 when none were queued), or -errno. They are slots <see cref="Take"/> 0..n-1 until <see cref="Consume"/>.
    /// </summary>
    public int Receive(int fd, int max)
    {
        ObjectDisposedException.ThrowIf(_memory is null, this);
        Drained = false;
        int want = Math.Min(max, _posted);
        if (want <= 0)
            return 0;
        int first = Math.Min(want, Capacity - _head);
        int n = Read(fd, _head, first);
        if (n == first && first < want)
        {
            int more = Read(fd, 0, want - first);
            Drained = more >= 0 && more < want - first;
            if (more > 0)
                n += more;
        }
        else
        {
            Drained = n >= 0 && n < first;
        }
        _received = Math.Max(n, 0);
        return n;
    }

    /// <summary>The last <see cref="Receive"/> got fewer datagrams than it asked for without an error: the socket was empty (EAGAIN).</summary>
    public bool Drained { get; private set; }

    /// <summary>The packet of the <paramref name="index"/>-th datagram of the last read, its payload length set and its source address in place.</summary>
    public Packet Take(int index, out bool truncated)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_received, nameof(index));
        int slot = Wrap(_head + index);
        ref var h = ref _headers[slot];
        var p = _slots[slot]!;
        truncated = (h.Header.Flags & Libc.MSG_TRUNC) != 0;
        p.AddressLength = (int)Math.Min(h.Header.NameLength, (uint)Packet.MaxAddressBytes);
        p.SetPayload(0, (int)Math.Min(h.Length, (uint)p.RawBuffer.Length));
        return p;
    }

    /// <summary>
    /// The socket's cumulative drop count (SO_RXQ_OVFL) carried by the last datagram of the last read: it covers the
    /// earlier ones, so one read per poll counts every socket drop. False when the read got nothing or no such message.
    /// </summary>
    public bool TryReadDropCounter(out uint drops)
    {
        drops = 0;
        if (_received == 0)
            return false;
        ref var h = ref _headers[Wrap(_head + _received - 1)];
        return MessageBatch.TryReadDropCounter(h.Header.Control, h.Header.ControlLength, out drops);
    }

    /// <summary>
    /// Gives up the slots of the last read (their packets are the caller's now); the next <see cref="Refill"/> posts new
    /// ones there. The slots keep their old references until then: only the posted range counts.
    /// </summary>
    public void Consume()
    {
        _head = Wrap(_head + _received);
        _posted -= _received;
        _received = 0;
    }

    /// <summary>Returns the posted packets to their pools and frees the headers.</summary>
    public void Dispose()
    {
        Free();
        for (int i = 0, slot = _head; i < _posted; i++, slot = slot + 1 == Capacity ? 0 : slot + 1)
            NetStack.FreeDropped(_slots[slot]!);
        Array.Clear(_slots);
        _posted = 0;
        GC.SuppressFinalize(this);
    }

    /// <summary>A slot index past the end wrapped to the front; callers stay below twice the capacity.</summary>
    private int Wrap(int slot) => slot >= Capacity ? slot - Capacity : slot;

    private int Read(int fd, int slot, int count)
    {
        int n = Libc.RecvMmsg(fd, _headers + slot, (uint)count, Libc.MSG_DONTWAIT, null);
        if (n >= 0)
            return n;
        int errno = Marshal.GetLastPInvokeError();
        return errno == Errno.EAGAIN ? 0 : -errno;
    }

    private void Post(int slot, Packet p)
    {
        _slots[slot] = p;
        ref var h = ref _headers[slot];
        h.Header.Iov->Base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(p.RawBuffer));
        h.Header.Iov->Length = (nuint)p.RawBuffer.Length;
        // The packet's address array is pinned: the kernel writes the source there, nothing copies it afterwards.
        h.Header.Name = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(p.RawAddress));
        h.Header.NameLength = Packet.MaxAddressBytes;
        h.Header.ControlLength = ControlBytes;
        h.Header.Flags = 0;
        h.Length = 0;
    }

    private void Free()
    {
        NativeMemory.Free(_memory);
        _memory = null;
    }
}
