using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Tests.UdpDevice;

/// <summary>
/// The receive backend the UDP device tests open their devices with. Each behaviour test class runs once as itself
/// (epoll) and once as its IoUring subclass, whose constructor switches this; the classes share one collection, so
/// they run one at a time.
/// </summary>
internal static class TestBackend
{
    public static UdpBackend Current { get; set; } = UdpBackend.Epoll;

    /// <summary>
    /// With io_uring, starting a queue raises one interrupt whose poll arms the ring's RECVMSG; waits until that poll
    /// is done so a test's poll counts start after it. Returns the polls so far (0 with epoll).
    /// </summary>
    public static long AfterStart(Napi napi)
    {
        if (Current == UdpBackend.IoUring)
        {
            Wait.Until(
                () => napi.Polls >= 1 && (napi.State & NapiState.Sched) == 0 && napi.TimerCpu is null,
                () => $"the start poll, polls {napi.Polls}, state {napi.State}");
        }
        return napi.Polls;
    }
}
