using Softnet.Core;
using Softnet.Load;

namespace Softnet.Tests.Admin;

/// <summary>The test payload: the load's header (flow, that flow's sequence number), so delivery is checked per flow as <c>softnet run</c> checks it.</summary>
internal static class FlowPacket
{
    public const int Length = PacketHeader.Size;

    public static void Write(Packet packet, int flow, long seq)
    {
        new PacketHeader(flow, seq, 0).WriteTo(packet.Buffer);
        packet.SetLength(Length);
        // A non-zero hash, as a NIC's RSS would give; RPS uses it when the queue has a map.
        packet.FlowHash = (uint)(flow + 1) * 2654435761u | 1;
    }

    public static (int Flow, long Seq) Read(Packet packet)
    {
        var header = PacketHeader.ReadFrom(packet.Data);
        return (header.Flow, header.Sequence);
    }
}
