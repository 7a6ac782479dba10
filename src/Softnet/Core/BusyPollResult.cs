namespace Softnet.Core;

/// <summary>What one <see cref="BusyPoller.Poll"/> call did.</summary>
/// <param name="Packets">Packets the NAPIs' polls took in during the call (BusyPollRxPackets); delivered to the handler on the calling thread unless RPS steered them to another CPU.</param>
/// <param name="Batches">Polls that took in at least one packet.</param>
/// <param name="Busy">NAPIs the call found owned by someone else (softirq, a NAPI thread, another poller).</param>
public readonly record struct BusyPollResult(int Packets, int Batches, int Busy);
