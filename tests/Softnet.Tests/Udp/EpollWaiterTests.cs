using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Softnet.Devices.Udp;
using Softnet.Scheduling;

namespace Softnet.Tests.Udp;

public class EpollWaiterTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void WakeBeforeWait_MakesWaitReturnAtOnce()
    {
        using var waiter = new EpollWaiter();

        Assert.False(waiter.Wake());
        Assert.False(waiter.Wake());
        var clock = Stopwatch.StartNew();
        waiter.Wait(10 * Second);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void PermitIsConsumedByOneWait()
    {
        using var waiter = new EpollWaiter();
        waiter.Wake();
        waiter.Wait(10 * Second);

        var clock = Stopwatch.StartNew();
        waiter.Wait(50_000_000);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(45));
    }

    [Fact]
    public void Wait_TimesOut()
    {
        using var waiter = new EpollWaiter();

        var clock = Stopwatch.StartNew();
        waiter.Wait(50_000_000);
        var fifty = clock.Elapsed;
        clock.Restart();
        waiter.Wait(0);

        Assert.InRange(fifty, TimeSpan.FromMilliseconds(45), TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void WakeFromAnotherThread_WakesASleeperAndSaysSo()
    {
        using var waiter = new EpollWaiter();
        bool rang = false;
        TimeSpan slept = default;
        // The sleeper may not have reached epoll_wait yet when the wake comes; then it was a mere permit: try again.
        for (int attempt = 1; attempt <= 5 && !rang; attempt++)
        {
            var clock = new Stopwatch();
            var sleeper = new Thread(() =>
            {
                clock.Start();
                waiter.Wait(30 * Second);
                clock.Stop();
            });
            sleeper.Start();
            Thread.Sleep(50 * attempt);
            rang = waiter.Wake();
            Assert.True(sleeper.Join(Loopback.Patience));
            slept = clock.Elapsed;
        }

        Assert.True(rang);
        Assert.True(slept < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Irq_FiresOnceUntilRearmedAndRefiresWhileDataIsQueued()
    {
        using var waiter = new EpollWaiter();
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var batch = Loopback.ReceiveBatch(8, 64);
        var irq = new CountingIrq();
        waiter.Register(socket.Fd, irq);

        waiter.Wait(50_000_000);
        Assert.Equal(0, irq.Count);

        sender.SendTo("one"u8, socket.LocalEndPoint);
        waiter.Wait(5 * Second);
        Assert.Equal(1, irq.Count);

        // Masked: more data does not interrupt again.
        sender.SendTo("two"u8, socket.LocalEndPoint);
        waiter.Wait(100_000_000);
        Assert.False(waiter.TryPollIrqs());
        Assert.Equal(1, irq.Count);

        // Unmasked with both datagrams still queued: the interrupt comes back at once.
        waiter.Rearm(socket.Fd);
        Assert.True(waiter.TryPollIrqs());
        Assert.Equal(2, irq.Count);

        // Drained, then unmasked: nothing to report until new data.
        Assert.Equal(2, batch.Receive(socket.Fd, 8));
        waiter.Rearm(socket.Fd);
        waiter.Wait(50_000_000);
        Assert.Equal(2, irq.Count);

        sender.SendTo("three"u8, socket.LocalEndPoint);
        waiter.Wait(5 * Second);
        Assert.Equal(3, irq.Count);
    }

    [Fact]
    public void DrainedRearm_NeedsNoSyscallAndTheNextDatagramInterruptsAgain()
    {
        using var waiter = new EpollWaiter();
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var batch = Loopback.ReceiveBatch(8, 64);
        var irq = new CountingIrq();
        waiter.Register(socket.Fd, irq);

        for (int round = 1; round <= 3; round++)
        {
            sender.SendTo("ping"u8, socket.LocalEndPoint);
            waiter.Wait(5 * Second);
            Assert.Equal(round, irq.Count);
            // Read until EAGAIN (one of eight asked), then unmask as a completing NAPI does.
            Assert.Equal(1, batch.Receive(socket.Fd, 8));
            waiter.Rearm(socket.Fd, drained: true);
        }

        Assert.Equal(0, waiter.RearmSyscalls);
    }

    [Fact]
    public void DrainedRearm_ADatagramBetweenTheEmptyReadAndTheUnmaskStillInterrupts()
    {
        using var waiter = new EpollWaiter();
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var batch = Loopback.ReceiveBatch(8, 64);
        var irq = new CountingIrq();
        waiter.Register(socket.Fd, irq);
        sender.SendTo("one"u8, socket.LocalEndPoint);
        waiter.Wait(5 * Second);
        Assert.Equal(1, batch.Receive(socket.Fd, 8));

        // Its edge not yet collected when the unmask skips the syscall: collected afterwards, it interrupts.
        sender.SendTo("two"u8, socket.LocalEndPoint);
        waiter.Rearm(socket.Fd, drained: true);
        Assert.Equal(0, waiter.RearmSyscalls);
        Assert.True(waiter.TryPollIrqs());
        Assert.Equal(2, irq.Count);
        Assert.Equal(1, batch.Receive(socket.Fd, 8));

        // Its edge collected while masked (by a wait: a busy pass does not look while every interrupt is masked):
        // remembered (the kernel registration is masked too), and the unmask then asks the kernel, which reports the
        // datagram still queued.
        sender.SendTo("three"u8, socket.LocalEndPoint);
        waiter.Wait(0);
        Assert.Equal(1, waiter.RearmSyscalls);
        sender.SendTo("four"u8, socket.LocalEndPoint);
        waiter.Wait(0);
        Assert.Equal(2, irq.Count);
        waiter.Rearm(socket.Fd, drained: true);
        Assert.Equal(2, waiter.RearmSyscalls);
        Assert.True(waiter.TryPollIrqs());
        Assert.Equal(3, irq.Count);
        Assert.Equal(2, batch.Receive(socket.Fd, 8));
    }

    /// <summary>
    /// A busy pass's look at the interrupts while every one is masked collects nothing (it makes no epoll_wait): the
    /// edge stays with the kernel, the drained unmask needs no syscall, and the next look fires the interrupt.
    /// </summary>
    [Fact]
    public void TryPollIrqs_WithEveryInterruptMasked_LeavesTheEdgeForTheNextLook()
    {
        using var waiter = new EpollWaiter();
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var batch = Loopback.ReceiveBatch(8, 64);
        var irq = new CountingIrq();
        waiter.Register(socket.Fd, irq);
        sender.SendTo("one"u8, socket.LocalEndPoint);
        waiter.Wait(5 * Second);
        Assert.Equal(1, irq.Count);
        Assert.Equal(1, batch.Receive(socket.Fd, 8));

        sender.SendTo("two"u8, socket.LocalEndPoint);
        Assert.False(waiter.TryPollIrqs());
        waiter.Rearm(socket.Fd, drained: true);
        Assert.Equal(0, waiter.RearmSyscalls);
        Assert.Equal(1, irq.Count);

        Assert.True(waiter.TryPollIrqs());
        Assert.Equal(2, irq.Count);
        Assert.Equal(1, batch.Receive(socket.Fd, 8));
    }

    [Fact]
    public void RearmFromAnotherThread_WakesTheSleeperWithTheIrq()
    {
        using var waiter = new EpollWaiter();
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        int ownerThread = Environment.CurrentManagedThreadId;
        int handlerThread = 0;
        var irq = new CountingIrq(() => handlerThread = Environment.CurrentManagedThreadId);
        waiter.Register(socket.Fd, irq);
        sender.SendTo("x"u8, socket.LocalEndPoint);
        waiter.Wait(5 * Second);

        var rearm = new Thread(() =>
        {
            Thread.Sleep(50);
            waiter.Rearm(socket.Fd);
        });
        rearm.Start();
        var clock = Stopwatch.StartNew();
        waiter.Wait(30 * Second);

        Assert.True(rearm.Join(Loopback.Patience));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(2, irq.Count);
        Assert.Equal(ownerThread, handlerThread);
    }

    [Fact]
    public void Unregister_StopsTheIrq()
    {
        using var waiter = new EpollWaiter();
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        var irq = new CountingIrq();
        waiter.Register(socket.Fd, irq);

        waiter.Unregister(socket.Fd);
        waiter.Unregister(socket.Fd);
        waiter.Rearm(socket.Fd);
        sender.SendTo("x"u8, socket.LocalEndPoint);

        Assert.False(waiter.TryPollIrqs());
        Assert.Equal(0, irq.Count);
        waiter.Register(socket.Fd, irq);
        Assert.True(waiter.TryPollIrqs());
        Assert.Equal(1, irq.Count);
    }

    [Fact]
    public void Register_RejectsDuplicatesAndDescriptorsEpollCannotWatch()
    {
        using var waiter = new EpollWaiter();
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        waiter.Register(socket.Fd, new CountingIrq());
        string path = Path.GetTempFileName();
        try
        {
            using var file = File.OpenHandle(path);

            Assert.Throws<ArgumentException>(() => waiter.Register(socket.Fd, new CountingIrq()));
            var ex = Assert.Throws<IOException>(() => waiter.Register((int)file.DangerousGetHandle(), new CountingIrq()));
            Assert.Contains("epoll_ctl ADD", ex.Message);
            Assert.Contains("EPERM", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AfterDispose_WakeIsHarmlessAndWaitThrows()
    {
        var waiter = new EpollWaiter();
        waiter.Dispose();
        waiter.Dispose();

        Assert.False(waiter.Wake());
        Assert.Throws<ObjectDisposedException>(() => waiter.Wait(0));
    }

    [Fact]
    public void PingPong_LosesNoWakeUp()
    {
        const int rounds = 100_000;
        const long patienceNs = 2 * Second;
        using var pingWaiter = new EpollWaiter();
        using var pongWaiter = new EpollWaiter();
        int ping = 0, pong = 0, stalls = 0, realWakes = 0;
        var deadline = Stopwatch.StartNew();

        // A lost wake-up shows as a wait that runs into its timeout although its condition already holds.
        void WaitFor(EpollWaiter waiter, ref int word, int value)
        {
            while (Volatile.Read(ref word) != value && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                long start = Stopwatch.GetTimestamp();
                waiter.Wait(patienceNs);
                if (Stopwatch.GetElapsedTime(start) >= TimeSpan.FromSeconds(1.5))
                    Interlocked.Increment(ref stalls);
            }
        }

        var ponger = new Thread(() =>
        {
            for (int i = 1; i <= rounds; i++)
            {
                WaitFor(pingWaiter, ref ping, i);
                Volatile.Write(ref pong, i);
                if (pongWaiter.Wake())
                    Interlocked.Increment(ref realWakes);
            }
        });
        var pinger = new Thread(() =>
        {
            for (int i = 1; i <= rounds; i++)
            {
                Volatile.Write(ref ping, i);
                if (pingWaiter.Wake())
                    Interlocked.Increment(ref realWakes);
                WaitFor(pongWaiter, ref pong, i);
            }
        });
        ponger.Start();
        pinger.Start();

        Assert.True(pinger.Join(TimeSpan.FromSeconds(90)));
        Assert.True(ponger.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(rounds, Volatile.Read(ref pong));
        Assert.Equal(0, stalls);
        Assert.True(realWakes > 0);
    }
}
