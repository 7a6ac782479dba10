using Softnet.Core;

namespace Softnet.Devices;

/// <summary>
/// The loopback device: what a thread sends is received on the sending CPU through <c>netif_rx</c>, with RPS
/// applied. The flow hash is the sender's (the socket's txhash); 0 keeps the packet on the sending CPU.
/// </summary>
public sealed class LoopbackDevice : NetDevice
{
    /// <summary>Packets one <see cref="Send{TWriter}"/> call hands to netif_rx at a time.</summary>
    public const int MaxBatch = 64;

    [ThreadStatic]
    private static Packet[]? t_batch;

    /// <summary>Creates a loopback device on <paramref name="stack"/>, named <paramref name="name"/>, with one queue and already up.</summary>
    public LoopbackDevice(NetStack stack, string name = "lo")
        : base(stack, name, 1) => SetUp(true);

    /// <summary>False: loopback packets enter the backlog through netif_rx, so the device has no NAPI.</summary>
    protected override bool UsesNapi => false;

    /// <summary>Sends one packet with a copy of <paramref name="payload"/>.</summary>
    public void Send(ReadOnlySpan<byte> payload, uint flowHash)
    {
        var writer = new CopyWriter(payload, flowHash);
        Send(1, ref writer);
    }

    /// <summary>
    /// Sends <paramref name="count"/> packets filled in place by <paramref name="writer"/>, in batches of up to
    /// <see cref="MaxBatch"/>: one pool access, one steering pass and at most one kick per CPU per batch. Every
    /// packet is delivered or counted as a drop.
    /// </summary>
    public void Send<TWriter>(int count, ref TWriter writer)
        where TWriter : struct, IPacketWriter, allows ref struct
    {
        var batch = t_batch ??= new Packet[MaxBatch];
        int index = 0;
        while (count > 0)
        {
            var self = Stack.CurrentSoftnet();
            int want = Math.Min(count, MaxBatch);
            int got = self.Pool.Rent(batch.AsSpan(0, want));
            if (got < want)
                self.Drop(DropReason.NoMemory, null, want - got);
            for (int i = 0; i < got; i++)
            {
                var p = batch[i];
                p.Device = this;
                writer.Write(index + i, p);
            }
            Stack.NetifRx(batch.AsSpan(0, got));
            batch.AsSpan(0, got).Clear();
            index += want;
            count -= want;
        }
    }

    /// <summary>Nothing to stop: the loopback device holds no queue of its own.</summary>
    protected override void Close()
    {
    }

    private readonly ref struct CopyWriter(ReadOnlySpan<byte> payload, uint flowHash) : IPacketWriter
    {
        private readonly ReadOnlySpan<byte> _payload = payload;

        public void Write(int index, Packet packet)
        {
            _payload.CopyTo(packet.Buffer);
            packet.SetLength(_payload.Length);
            packet.FlowHash = flowHash;
        }
    }
}
