using Softnet.Core;

namespace Softnet.Hosting;

/// <summary>
/// The application's receive function, resolved from dependency injection so it can take dependencies.
/// </summary>
public interface IPacketBatchHandler
{
    /// <summary>
    /// Called in NAPI context with a batch delivered on <see cref="PacketContext.Cpu"/>; the packets are freed when it
    /// returns, and if it throws the batch counts as dropped (reason handler). <paramref name="context"/> replies,
    /// sends and reads sources. See <see cref="PacketHandler"/>.
    /// </summary>
    void Handle(ReadOnlySpan<Packet> batch, PacketContext context);
}
