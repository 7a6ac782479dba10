using Softnet.Overload;

namespace Softnet.Devices.Udp;

/// <summary>
/// One RX queue's figures: its NAPI, the CPU taking its interrupt, polls, packets, socket drops, its overload detector
/// and the polls back-pressure held back.
/// </summary>
public readonly record struct UdpQueueStats(int Queue, int NapiId, int IrqCpu, long Polls, long Packets, long SocketDrops, OverloadInfo Overload = default, long HeldBack = 0);
