using Softnet.Steering;

namespace Softnet.Core;

/// <summary>
/// A received packet (the sk_buff): a pooled, pinned buffer with the metadata steering needs. It belongs to
/// the CPU whose pool it came from and always returns there. A handler may read it only during its call.
/// </summary>
public sealed class Packet
{
    /// <summary>Room for a sockaddr_in6, the largest address a device records.</summary>
    public const int MaxAddressBytes = 28;

    private readonly byte[] _buffer;
    private readonly byte[] _address = GC.AllocateArray<byte>(MaxAddressBytes, pinned: true);

    internal Packet(PacketPool owner, int bufferSize)
    {
        Owner = owner;
        _buffer = GC.AllocateArray<byte>(bufferSize, pinned: true);
    }

    /// <summary>Bytes of payload in <see cref="Data"/>.</summary>
    public int Length { get; internal set; }

    /// <summary>
    /// Where the payload starts in the buffer (skb->data's offset from skb->head): 0 unless a device received into a
    /// buffer whose front holds the kernel's own header, which the payload then stays behind instead of being moved.
    /// </summary>
    private int _offset;

    /// <summary>
    /// The flow hash steering uses (skb->hash); 0 means "no hash": RPS leaves the packet where it is. A socket device
    /// records only the flow's keys; the hash is computed on first read (skb_get_hash), so a packet that neither a
    /// multi-CPU RPS map, flow limit nor the application asks about never pays for it.
    /// </summary>
    public uint FlowHash
    {
        get => _flowHash != 0 ? _flowHash : HashFlowKeys();
        set
        {
            _flowHash = value;
            _flowLocal = null;
        }
    }

    /// <summary>Whether the packet has a flow hash, computed or still to compute; answers without computing it.</summary>
    internal bool HasFlowHash => _flowHash != 0 || _flowLocal is not null;

    private uint _flowHash;

    /// <summary>The receiving socket's sockaddr, the local half of a hash computed from the keys; null when the hash was set.</summary>
    private byte[]? _flowLocal;

    /// <summary>When the packet was sent or received, in the stack's clock (nanoseconds); used for latency.</summary>
    public long TimestampNs { get; set; }

    /// <summary>The RX queue the packet arrived on.</summary>
    public int QueueIndex { get; internal set; }

    /// <summary>
    /// The id of the NAPI that received the packet (skb->napi_id, what SO_INCOMING_NAPI_ID reports), the id napi-get
    /// lists for its queue; it stays with the packet through RPS. 0 for packets that entered through netif_rx.
    /// </summary>
    public int NapiId { get; internal set; }

    /// <summary>The device the packet arrived on.</summary>
    public NetDevice? Device { get; internal set; }

    /// <summary>The payload.</summary>
    public Span<byte> Data => _buffer.AsSpan(_offset, Length);

    /// <summary>The whole buffer, for devices and senders that fill it from its start (<see cref="SetLength"/>).</summary>
    public Span<byte> Buffer => _buffer;

    /// <summary>The raw source sockaddr recorded by a socket device (empty for loopback).</summary>
    public ReadOnlySpan<byte> SourceAddress => _address.AsSpan(0, AddressLength);

    /// <summary>The CPU that allocated the packet; the packet is freed back to its pool.</summary>
    public int OwnerCpu => Owner.Cpu;

    /// <summary>The pool the packet returns to; a free packet lent to a sibling pool changes owner (<see cref="PacketPool.Rent"/>).</summary>
    internal PacketPool Owner { get; set; }

    internal byte[] RawBuffer => _buffer;

    internal byte[] RawAddress => _address;

    internal int AddressLength { get; set; }

    /// <summary>Link in a defer list or a queue-free chain.</summary>
    internal Packet? Next;

    /// <summary>As the head of a defer list: how many packets the list holds from this one down.</summary>
    internal int DeferTotal;

    /// <summary>Sets the payload length after a sender or device wrote into <see cref="Buffer"/> from its start.</summary>
    public void SetLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _buffer.Length);
        _offset = 0;
        Length = length;
    }

    /// <summary>
    /// The payload is the <paramref name="length"/> bytes at <paramref name="offset"/> in the buffer, where the device's
    /// receive left them (skb_reserve and skb_put at once); the caller keeps both within the buffer.
    /// </summary>
    internal void SetPayload(int offset, int length)
    {
        _offset = offset;
        Length = length;
    }

    /// <summary>
    /// Records the flow's keys for a hash computed on first read: the source address already in place and the
    /// receiving socket's <paramref name="localSockaddr"/>, which the packet references and must not change.
    /// </summary>
    internal void SetFlowKeys(byte[] localSockaddr)
    {
        _flowHash = 0;
        _flowLocal = localSockaddr;
    }

    /// <summary>
    /// The hash of the recorded keys, kept for later reads. The keys stay, so two threads reading at once both compute
    /// the same value rather than one seeing the keys half taken.
    /// </summary>
    private uint HashFlowKeys()
    {
        if (_flowLocal is not { } local)
            return 0;
        uint hash = FlowDissector.Hash(SourceAddress, local);
        _flowHash = hash;
        return hash;
    }

    internal void Reset()
    {
        Length = 0;
        _offset = 0;
        _flowHash = 0;
        _flowLocal = null;
        TimestampNs = 0;
        QueueIndex = 0;
        NapiId = 0;
        Device = null;
        AddressLength = 0;
        Next = null;
    }
}
