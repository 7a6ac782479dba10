using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Hosting;

/// <summary>
/// What a handler may do besides reading its batch: reply to a packet's source, send to any endpoint through the
/// hosted UDP device, and read a packet's source as a <see cref="UdpEndpoint"/>. A value passed with each batch,
/// valid only during that call (sends are batched into the round's sendmmsg); nothing here allocates.
/// </summary>
public readonly struct PacketContext
{
    private readonly SoftnetService _service;

    internal PacketContext(SoftnetService service, int cpu)
    {
        _service = service;
        Cpu = cpu;
    }

    /// <summary>The stack CPU delivering the batch.</summary>
    public int Cpu { get; }

    /// <summary>The hosted UDP device, when the <c>Softnet:Udp</c> section is configured.</summary>
    public UdpDevice? Udp => _service.Udp;

    /// <summary>The source of <paramref name="packet"/>, without allocating; empty for a packet no socket received.</summary>
    public static UdpEndpoint Source(Packet packet) => UdpEndpoint.SourceOf(packet);

    /// <summary>
    /// Sends <paramref name="payload"/> back to <paramref name="request"/>'s source through the device that received
    /// it. False when it could not be queued (counted as a TX drop).
    /// </summary>
    public bool Reply(Packet request, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(request);
        var device = request.Device as UdpDevice
            ?? throw new InvalidOperationException("the packet did not come from a UDP device, so it has no source to reply to");
        return device.Reply(request, payload);
    }

    /// <summary>Sends <paramref name="payload"/> to <paramref name="destination"/> through the hosted UDP device. False when counted as a TX drop.</summary>
    public bool SendTo(in UdpEndpoint destination, ReadOnlySpan<byte> payload)
    {
        var device = Udp ?? throw new InvalidOperationException("SendTo needs the hosted UDP device: configure the Softnet:Udp section");
        return device.SendTo(destination, payload);
    }
}
