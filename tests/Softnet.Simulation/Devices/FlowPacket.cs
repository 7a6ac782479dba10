using System.Buffers.Binary;
using Softnet.Core;

namespace Softnet.Simulation.Devices;

/// <summary>The simulation's packet payload: the flow it belongs to and its sequence number in that flow.</summary>
internal static class FlowPacket
{
    public const int Size = 12;

    public static void Write(Packet p, int flow, long seq)
    {
        BinaryPrimitives.WriteInt32LittleEndian(p.Buffer, flow);
        BinaryPrimitives.WriteInt64LittleEndian(p.Buffer[4..], seq);
        p.SetLength(Size);
        // Never 0: a zero hash means "no hash", which RPS leaves on the sending CPU.
        p.FlowHash = (uint)(flow + 1) * 0x9e3779b1u | 1u;
    }

    public static (int Flow, long Seq) Read(Packet p) =>
        (BinaryPrimitives.ReadInt32LittleEndian(p.Data), BinaryPrimitives.ReadInt64LittleEndian(p.Data[4..]));
}
