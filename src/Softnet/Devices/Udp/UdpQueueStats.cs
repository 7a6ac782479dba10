using Softnet.Overload;

namespace Softnet.Devices.Udp;

/// <summary>One RX queue's figures: its NAPI, the CPU taking its interrupt, polls, packets, socket drops and its overload detector.</summary>
public readonly record struct UdpQueueStats(int Queue, int NapiId, int IrqCpu, long Polls, long Packets, long SocketDrops, OverloadInfo Overload = default);
