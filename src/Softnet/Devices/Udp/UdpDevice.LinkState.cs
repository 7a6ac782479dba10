using Softnet.Core;

namespace Softnet.Devices.Udp;

/// <summary>
/// Administrative down and up (dev_close / dev_open). Down stops every queue as a channel removal does — interrupt
/// masked, NAPI disabled, socket drained into the stack, NAPI deleted with its thread parked in its config — and then
/// gives each socket a discarding interrupt: the sockets stay bound (the port stays the device's), and datagrams that
/// reach a down device are read and counted as drop reason device_down. Up takes the queues back with their configs'
/// NAPI ids, threaded modes and parked threads.
/// </summary>
public sealed partial class UdpDevice
{
    private bool _down;

    /// <inheritdoc/>
    public override void SetDown()
    {
        lock (Control)
        {
            if (!IsUp)
                return;
            ObjectDisposedException.ThrowIf(_closed, this);
            SetUp(false);
            _down = true;
            var queues = _queues;
            if (_protected is { } p)
            {
                StopProtected(p);
                DiscardWhileDown(p, 0);
            }
            for (int i = 0; i < queues.Length; i++)
            {
                StopQueue(queues[i]);
                DiscardWhileDown(queues[i], i);
            }
        }
    }

    /// <inheritdoc/>
    public override void SetUp()
    {
        lock (Control)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (IsUp)
                return;
            if (!_down)
            {
                Start();
                return;
            }
            var queues = _queues;
            if (_protected is { } p)
            {
                p.LeaveDown();
                StartProtected(p);
            }
            for (int i = 0; i < queues.Length; i++)
            {
                var q = queues[i];
                q.LeaveDown();
                StartQueue(q, i);
            }
            _down = false;
            SetUp(true);
        }
    }

    /// <summary>A down queue's socket keeps an interrupt whose handler reads and counts what arrives (device_down).</summary>
    private void DiscardWhileDown(UdpQueue q, int index) => q.EnterDown(AffineCpu(index));
}
