using Softnet.Core;

namespace Softnet.Hosting;

/// <summary>
/// The application's receive function, resolved from dependency injection so it can take dependencies. Called in NAPI
/// context with a batch delivered on <paramref name="cpu"/>; the packets are freed when it returns, and if it throws
/// the batch counts as dropped (reason handler).
/// </summary>
public interface IPacketBatchHandler
{
    /// <summary>Handles one batch; see <see cref="PacketHandler"/>.</summary>
    void Handle(ReadOnlySpan<Packet> batch, int cpu);
}
