using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Softnet.Interop;

namespace Softnet.Devices.Udp;

/// <summary>
/// A reusable recvmmsg/sendmmsg batch: the mmsghdr, iovec, sockaddr and control-message arrays live in native memory
/// allocated once, and the payload buffers are the callers' pinned arrays, so a batch moves datagrams without
/// allocating. Slot <c>i</c> keeps its buffer until replaced. One thread uses a batch at a time.
/// </summary>
/// <remarks>
/// A received batch can be sent straight back: <see cref="Receive"/> leaves each source address in place as the
/// destination, so an echo only has to shorten the buffers to <see cref="Length"/> with <see cref="SetBuffer(int, byte[], int)"/>.
/// </remarks>
internal sealed unsafe class MessageBatch : IDisposable
{
    /// <summary>Room for the one control message the library asks for, SO_RXQ_OVFL's u32.</summary>
    private static readonly nuint ControlBytes = Libc.CmsgSpace(sizeof(uint));

    private static readonly nuint CmsgHeaderBytes = Libc.CmsgAlign((nuint)sizeof(Libc.CmsgHdr));

    private byte* _memory;
    private readonly Libc.MMsgHdr* _headers;

    // The iovecs hold raw pointers into these arrays, invisible to the GC: these references keep the arrays alive.
    private readonly byte[]?[] _buffers;

    public MessageBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _buffers = new byte[capacity][];
        nuint headerBytes = (nuint)(capacity * sizeof(Libc.MMsgHdr));
        nuint iovBytes = (nuint)(capacity * sizeof(Libc.IoVec));
        nuint addressBytes = (nuint)capacity * Libc.SockaddrStorageBytes;
        _memory = (byte*)NativeMemory.AllocZeroed(headerBytes + iovBytes + addressBytes + ((nuint)capacity * ControlBytes));
        _headers = (Libc.MMsgHdr*)_memory;
        var iov = (Libc.IoVec*)(_memory + headerBytes);
        byte* addresses = _memory + headerBytes + iovBytes;
        byte* control = addresses + addressBytes;
        for (int i = 0; i < capacity; i++)
        {
            ref var h = ref _headers[i].Header;
            h.Name = addresses + ((nuint)i * Libc.SockaddrStorageBytes);
            h.Iov = iov + i;
            h.IovLength = 1;
            h.Control = control + ((nuint)i * ControlBytes);
        }
    }

    ~MessageBatch() => Free();

    public int Capacity { get; }

    /// <summary>
    /// Uses all of <paramref name="pinnedArray"/> for slot <paramref name="index"/>. The array must come from
    /// <c>GC.AllocateArray(n, pinned: true)</c>: the kernel is given its address and the GC must never move it.
    /// </summary>
    public void SetBuffer(int index, byte[] pinnedArray) => SetBuffer(index, pinnedArray, pinnedArray.Length);

    /// <summary>
    /// Uses the first <paramref name="length"/> bytes of <paramref name="pinnedArray"/> for slot
    /// <paramref name="index"/>: the payload to send, or the most to receive (a longer datagram is truncated).
    /// </summary>
    public void SetBuffer(int index, byte[] pinnedArray, int length)
    {
        ref var h = ref Header(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)pinnedArray.Length, nameof(length));
        _buffers[index] = pinnedArray;
        h.Header.Iov->Base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinnedArray));
        h.Header.Iov->Length = (nuint)length;
    }

    /// <summary>Slot <paramref name="index"/>'s msghdr, ready for one sendmsg (no control message), for a caller that sends it itself.</summary>
    public Libc.MsgHdr* SendHeader(int index)
    {
        ref var h = ref Header(index);
        h.Header.ControlLength = 0;
        h.Header.Flags = 0;
        return (Libc.MsgHdr*)Unsafe.AsPointer(ref h.Header);
    }

    /// <summary>Sets the raw sockaddr slot <paramref name="index"/> is sent to.</summary>
    public void SetDestination(int index, ReadOnlySpan<byte> sockaddr)
    {
        ref var h = ref Header(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sockaddr.Length, Libc.SockaddrStorageBytes, nameof(sockaddr));
        sockaddr.CopyTo(new Span<byte>(h.Header.Name, Libc.SockaddrStorageBytes));
        h.Header.NameLength = (uint)sockaddr.Length;
    }

    /// <summary>
    /// One recvmmsg(MSG_DONTWAIT) into slots [0, <paramref name="count"/>): returns the datagrams received,
    /// 0 when none were queued (EAGAIN), or -errno.
    /// </summary>
    public int Receive(int fd, int count)
    {
        CheckCount(count);
        for (int i = 0; i < count; i++)
        {
            ref var h = ref _headers[i];
            h.Header.NameLength = Libc.SockaddrStorageBytes;
            h.Header.ControlLength = ControlBytes;
            h.Header.Flags = 0;
            h.Length = 0;
        }
        int n = Libc.RecvMmsg(fd, _headers, (uint)count, Libc.MSG_DONTWAIT, null);
        if (n >= 0)
            return n;
        int errno = Marshal.GetLastPInvokeError();
        return errno == Errno.EAGAIN ? 0 : -errno;
    }

    /// <summary>
    /// Sends slots [0, <paramref name="count"/>) with sendmmsg(MSG_DONTWAIT), calling again while the kernel makes
    /// progress. Returns how many were handed to the kernel, always a prefix: the rest hit a full send buffer
    /// (EAGAIN, ENOBUFS) or an error, and are the caller's to count as dropped or retry. Returns -errno only when an
    /// error other than those stopped the very first message (e.g. EMSGSIZE: that message cannot be sent at all).
    /// </summary>
    public int Send(int fd, int count)
    {
        CheckCount(count);
        for (int i = 0; i < count; i++)
        {
            ref var h = ref _headers[i];
            h.Header.ControlLength = 0;
            h.Header.Flags = 0;
        }
        int sent = 0;
        while (sent < count)
        {
            int n = Libc.SendMmsg(fd, _headers + sent, (uint)(count - sent), Libc.MSG_DONTWAIT);
            if (n > 0)
            {
                sent += n;
                continue;
            }
            int errno = n < 0 ? Marshal.GetLastPInvokeError() : Errno.EAGAIN;
            if (sent == 0 && errno != Errno.EAGAIN && errno != Errno.ENOBUFS)
                return -errno;
            break;
        }
        return sent;
    }

    /// <summary>Bytes received into, or sent from, slot <paramref name="index"/> by the last call.</summary>
    public int Length(int index) => (int)Header(index).Length;

    /// <summary>Whether the datagram in slot <paramref name="index"/> was longer than its buffer (MSG_TRUNC).</summary>
    public bool Truncated(int index) => (Header(index).Header.Flags & Libc.MSG_TRUNC) != 0;

    /// <summary>The raw sockaddr the datagram in slot <paramref name="index"/> came from.</summary>
    public ReadOnlySpan<byte> SourceAddress(int index)
    {
        ref var h = ref Header(index);
        return new ReadOnlySpan<byte>(h.Header.Name, (int)Math.Min(h.Header.NameLength, Libc.SockaddrStorageBytes));
    }

    /// <summary>The source of slot <paramref name="index"/> as an endpoint; allocates, so only for the few who ask.</summary>
    public IPEndPoint SourceEndPoint(int index) => SockAddr.Read(SourceAddress(index));

    /// <summary>
    /// Whether the datagram carried an SO_RXQ_OVFL count. The kernel attaches one only when the option is on and the
    /// socket had dropped something by the time the datagram was queued, so its absence means "no drops yet".
    /// </summary>
    public bool HasDropCounter(int index) => TryReadDropCounter(index, out _);

    /// <summary>
    /// The socket's cumulative drop count when the datagram in slot <paramref name="index"/> was queued (0 without
    /// the control message). It never resets and it wraps at 2^32, so diff it with unsigned arithmetic.
    /// </summary>
    public uint DropCounter(int index)
    {
        TryReadDropCounter(index, out uint drops);
        return drops;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private ref Libc.MMsgHdr Header(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Capacity, nameof(index));
        return ref _headers[index];
    }

    private void CheckCount(int count)
    {
        ObjectDisposedException.ThrowIf(_memory is null, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity);
    }

    private void Free()
    {
        NativeMemory.Free(_memory);
        _memory = null;
    }

    private bool TryReadDropCounter(int index, out uint drops)
    {
        ref var h = ref Header(index).Header;
        return TryReadDropCounter(h.Control, h.ControlLength, out drops);
    }

    /// <summary>Finds SO_RXQ_OVFL's u32 among the control messages at <paramref name="control"/>.</summary>
    internal static bool TryReadDropCounter(byte* control, nuint length, out uint drops)
    {
        byte* p = control;
        byte* end = p + length;
        while (end - p >= (nint)CmsgHeaderBytes)
        {
            var cmsg = (Libc.CmsgHdr*)p;
            if (cmsg->Length < CmsgHeaderBytes || cmsg->Length > (nuint)(end - p))
                break;
            if (cmsg->Level == Libc.SOL_SOCKET && cmsg->Type == Libc.SO_RXQ_OVFL && cmsg->Length >= Libc.CmsgLen(sizeof(uint)))
            {
                drops = *(uint*)(p + CmsgHeaderBytes);
                return true;
            }
            p += Libc.CmsgAlign(cmsg->Length);
        }
        drops = 0;
        return false;
    }
}
