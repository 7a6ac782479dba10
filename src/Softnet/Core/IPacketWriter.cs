namespace Softnet.Core;

/// <summary>Fills outgoing packets in place (payload, length, flow hash), so sending copies nothing and allocates nothing.</summary>
public interface IPacketWriter
{
    void Write(int index, Packet packet);
}
