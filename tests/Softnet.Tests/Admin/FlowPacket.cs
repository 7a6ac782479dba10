using System.Buffers.Binary;
using Softnet.Core;

namespace Softnet.Tests.Admin;

/// <summary>The test payload: a flow number and that flow's sequence number, so delivery can be checked per flow.</summary>
internal static class FlowPacket
{
    public const int Length = 12;

    public static void Write(Packet packet, int flow, long seq)
    {
        BinaryPrimitives.WriteInt32LittleEndian(packet.Buffer, flow);
        BinaryPrimitives.WriteInt64LittleEndian(packet.Buffer[4..], seq);
        packet.SetLength(Length);
        // A non-zero hash, as a NIC's RSS would give; RPS uses it when the queue has a map.
        packet.FlowHash = (uint)(flow + 1) * 2654435761u | 1;
    }

    public static (int Flow, long Seq) Read(Packet packet) =>
        (BinaryPrimitives.ReadInt32LittleEndian(packet.Data), BinaryPrimitives.ReadInt64LittleEndian(packet.Data[4..]));
}
