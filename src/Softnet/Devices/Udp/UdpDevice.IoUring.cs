using Softnet.Core;

namespace Softnet.Devices.Udp;

/// <summary>The device's choice of receive backend.</summary>
public sealed partial class UdpDevice
{
    private string? _ringRefusal;

    /// <summary>
    /// The backend the queues receive with: <see cref="UdpDeviceOptions.Backend"/>, or <see cref="UdpBackend.Epoll"/>
    /// when io_uring was asked for but could not be set up (logged once).
    /// </summary>
    public UdpBackend Backend => Volatile.Read(ref _queues) is [var first, ..] ? first.Backend : _options.Backend;

    /// <summary>A new queue's ring when the io_uring backend is asked for and available; null means epoll.</summary>
    internal IoUringRx? OpenRing(UdpSocket socket, int queue, int weight)
    {
        if (_options.Backend != UdpBackend.IoUring)
            return null;
        string? whyNot = _ringRefusal ?? IoUringSupport.WhyNot();
        IoUringRx? ring = null;
        if (whyNot is null)
            ring = IoUringRx.TryCreate(socket.Fd, IoUringRx.SlotsFor(weight), _options.Weight, out whyNot);
        if (ring is null)
        {
            // Refused once, refused for every queue: one line, and no further attempts.
            _ringRefusal = whyNot;
            Stack.LogOnce($"{Name}: the io_uring backend is not available ({whyNot}); queue {queue} and the rest receive through epoll");
        }
        return ring;
    }

    /// <summary>
    /// Replies a queue's ring handed to the kernel (<paramref name="sent"/>, tx_packets) and those of them the kernel
    /// then failed (<paramref name="failed"/>): they move from tx_packets to the TX drops, as send_failed.
    /// </summary>
    internal void CountRingTx(int sent, int failed)
    {
        if (sent - failed != 0)
            Interlocked.Add(ref _txPackets, sent - failed);
        DropTx(TxDropReason.SendFailed, failed);
    }

    /// <summary>Replies still queued on a ring that closed before submitting them: TX drops (device_closed).</summary>
    internal void DropRingTx(int count) => DropTx(TxDropReason.DeviceClosed, count);
}
