namespace Softnet.Core;

/// <summary>Fills outgoing packets in place (payload, length, flow hash), so sending copies nothing and allocates nothing.</summary>
public interface IPacketWriter
{
    /// <summary>Fills packet number <paramref name="index"/> of the batch being sent, writing into <paramref name="packet"/>'s own buffer.</summary>
    void Write(int index, Packet packet);
}
