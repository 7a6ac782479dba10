using Softnet.Core;
using Softnet.Hosting;

namespace Softnet.Tests.Hosting;

/// <summary>A DI-resolved handler that counts datagrams and their bytes, to compare with the stack's own counters.</summary>
internal sealed class CountingHandler : IPacketBatchHandler
{
    private long _packets;
    private long _bytes;

    public long Packets => Interlocked.Read(ref _packets);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Handle(ReadOnlySpan<Packet> batch, PacketContext context)
    {
        long bytes = 0;
        foreach (var packet in batch)
            bytes += packet.Length;
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _packets, batch.Length);
    }
}
