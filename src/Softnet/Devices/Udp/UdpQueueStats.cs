namespace Softnet.Devices.Udp;

/// <summary>One RX queue's figures: its NAPI, the CPU taking its interrupt, polls, packets and socket drops.</summary>
public readonly record struct UdpQueueStats(int Queue, int NapiId, int IrqCpu, long Polls, long Packets, long SocketDrops);
