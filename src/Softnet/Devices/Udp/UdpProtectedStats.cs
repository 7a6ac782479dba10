namespace Softnet.Devices.Udp;

/// <summary>
/// A UDP device's protected queue: its NAPI id, datagrams read from it, replies queued to them, and datagrams the
/// kernel dropped at its socket buffer.
/// </summary>
public readonly record struct UdpProtectedStats(int NapiId, long Received, long Replied, long Dropped);
