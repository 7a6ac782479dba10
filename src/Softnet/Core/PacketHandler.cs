namespace Softnet.Core;

/// <summary>
/// The application's receive function, called in NAPI context with a batch of packets delivered on <paramref name="cpu"/>.
/// The packets are freed when it returns. If it throws, the batch counts as dropped (reason handler) and polling goes on.
/// </summary>
public delegate void PacketHandler(ReadOnlySpan<Packet> batch, int cpu);
