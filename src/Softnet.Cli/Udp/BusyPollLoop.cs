using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Cli.Udp;

/// <summary>
/// <c>serve --busy-poll-usecs</c>: an application thread that busy-polls the device's NAPIs (the loop of a server that
/// calls a busy-polling receive or <c>epoll_wait</c> without end); the handler runs on it and its replies leave from it.
/// </summary>
internal sealed class BusyPollLoop
{
    private readonly BusyPoller _poller;
    private readonly Thread _thread;
    private volatile bool _stop;

    public BusyPollLoop(UdpDevice device, BusyPollOptions options)
    {
        _poller = new BusyPoller(device, options);
        _thread = new Thread(Run) { Name = "busy-poll", IsBackground = true };
        _thread.Start();
    }

    public BusyPoller Poller => _poller;

    /// <summary>Ends the loop after its current call and waits for it.</summary>
    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    public string Describe() =>
        $"busy poll: {_poller.Calls} calls, {_poller.Packets} packets, {_poller.EmptyCalls} empty, {_poller.Busy} busy, "
        + $"{_poller.IrqSuspends} IRQ suspends, {_poller.IrqResumes} resumes";

    private void Run()
    {
        while (!_stop)
            _poller.Poll();
    }
}
