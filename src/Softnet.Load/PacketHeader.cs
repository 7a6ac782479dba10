using System.Buffers.Binary;

namespace Softnet.Load;

/// <summary>
/// What the load writes at the start of every payload, little-endian: flow id (4 bytes), 4 reserved bytes, the
/// flow's sequence number (8) and the send time in the stack's clock (8, nanoseconds).
/// </summary>
public readonly record struct PacketHeader(int Flow, long Sequence, long SentNs)
{
    /// <summary>Bytes the header takes at the start of the payload.</summary>
    public const int Size = 24;

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="payload"/>.</summary>
    public void WriteTo(Span<byte> payload)
    {
        BinaryPrimitives.WriteInt32LittleEndian(payload, Flow);
        BinaryPrimitives.WriteInt32LittleEndian(payload[4..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(payload[16..], SentNs);
    }

    /// <summary>Reads the header from the first <see cref="Size"/> bytes of <paramref name="payload"/>.</summary>
    public static PacketHeader ReadFrom(ReadOnlySpan<byte> payload) => new(
        BinaryPrimitives.ReadInt32LittleEndian(payload),
        BinaryPrimitives.ReadInt64LittleEndian(payload[8..]),
        BinaryPrimitives.ReadInt64LittleEndian(payload[16..]));
}
