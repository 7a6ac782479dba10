using Softnet.Core;

namespace Softnet.Diagnostics;

/// <summary>
/// One device's figures at a snapshot: the netdev rx_dropped, and what it transmitted or failed to (tx_packets,
/// tx_dropped, and the TX drops by reason).
/// </summary>
public readonly record struct DeviceStat(string IfName, int IfIndex, long RxDropped, long TxPackets, long TxDropped, IReadOnlyDictionary<TxDropReason, long> TxDrops);
