using System.Net;
using System.Net.Sockets;
using Softnet.Scheduling;

namespace Softnet.Tests.Udp;

/// <summary>
/// The softirq wait sleeping in an io_uring queue's ring: only while that ring is its one interrupt and unmasked;
/// otherwise epoll, after the ring's queued replies were handed to the kernel.
/// </summary>
public sealed class EpollWaiterRingTests
{
    /// <summary>A ring interrupt that records what the waiter asks of it; the next sleep reports <see cref="Ready"/>.</summary>
    private sealed class RecordingRing : IRingIrq
    {
        public int Sleeps;
        public int Submits;
        public int Irqs;
        public bool Ready;

        public bool CanSleepInRing => true;

        public bool TrySleepInRing(int doorbellFd, long timeoutNs, out bool ready, out bool doorbell, out bool timedOut)
        {
            Sleeps++;
            ready = Ready;
            doorbell = false;
            timedOut = !Ready;
            return true;
        }

        public void SubmitQueued() => Submits++;

        public void OnIrq() => Irqs++;
    }

    private sealed class Counting : IIrqHandler
    {
        public int Irqs;

        public void OnIrq() => Irqs++;
    }

    private static Socket IdleSocket()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    [Fact]
    public void TheOnlyRing_IsSleptIn_AReadyCompletionFiresItOnce_AndMaskedItIsNot()
    {
        using var waiter = new EpollWaiter();
        using var source = IdleSocket();
        var ring = new RecordingRing { Ready = true };
        waiter.Register((int)source.Handle, ring);

        waiter.Wait(0);
        Assert.Equal((1, 1, 0), (ring.Sleeps, ring.Irqs, ring.Submits));

        // Fired, so masked until its NAPI completes: the wait is epoll's, with the ring's replies submitted first.
        waiter.Wait(0);
        Assert.Equal((1, 1, 1), (ring.Sleeps, ring.Irqs, ring.Submits));

        waiter.Rearm((int)source.Handle, drained: true);
        ring.Ready = false;
        waiter.Wait(0);
        Assert.Equal((2, 1, 1), (ring.Sleeps, ring.Irqs, ring.Submits));
    }

    [Fact]
    public void ASecondSource_SendsTheWaitToEpoll_AndUnregisteringTheRingSubmitsItsReplies()
    {
        using var waiter = new EpollWaiter();
        using var ringSource = IdleSocket();
        using var other = IdleSocket();
        var ring = new RecordingRing();
        waiter.Register((int)ringSource.Handle, ring);
        Assert.True(waiter.SleepsIn(ring));
        var plain = new Counting();
        waiter.Register((int)other.Handle, plain);
        Assert.False(waiter.SleepsIn(ring));

        waiter.Wait(0);
        Assert.Equal((0, 0), (ring.Sleeps, ring.Submits));

        waiter.Unregister((int)other.Handle);
        Assert.True(waiter.SleepsIn(ring));
        waiter.Unregister((int)ringSource.Handle);
        Assert.False(waiter.SleepsIn(ring));
        Assert.Equal(1, ring.Submits);
        Assert.Equal(0, plain.Irqs);
    }
}
