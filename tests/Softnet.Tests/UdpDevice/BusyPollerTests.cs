using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>
/// Application busy polling (napi_busy_loop from the application's thread): real datagrams arrive intact on the polling
/// thread; with prefer_busy_poll the queue stays masked while the application polls and the watchdog takes the NAPI
/// back when it stops; IRQ suspension is counted; the NAPI protocol keeps one poller.
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public class BusyPollerTests
{
    public BusyPollerTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected BusyPollerTests(UdpBackend backend) => TestBackend.Current = backend;

    private const int Size = 100;

    [Fact]
    public void BusyPoll_DeliversRealDatagramsIntact_OnThePollingThread()
    {
        const int Count = 300;
        var sink = new Sink();
        var stack = UdpStacks.Create(sink.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            dev.Start();
            var poller = new BusyPoller(dev, new BusyPollOptions { BusyPollUsecs = 200, BusyPollBudget = 16 });
            sink.PollerThread = Environment.CurrentManagedThreadId;
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var buffer = new byte[Size];
            for (int seq = 0; seq < Count; seq++)
            {
                Fill(buffer, seq);
                sender.SendTo(buffer, dev.LocalEndPoint);
                if (seq % 10 == 9)
                    PollUntil(poller, () => sink.Delivered == seq + 1, $"datagram {seq}", sink);
            }

            Assert.Equal(Count, sink.Delivered);
            Assert.Equal(0, sink.Corrupt);
            Assert.Equal(0, sink.OutOfOrder);
            Assert.True(poller.Packets > 0, "the busy poller took in nothing");
            // The polling thread also runs the softirq work its polls leave pending on its CPU (local_bh_enable), which
            // may include this NAPI scheduled by its interrupt: at least the busy polls' packets were delivered on it.
            Assert.InRange(sink.OnPollerThread, poller.Packets, Count);
            // A softirq poll counts its packets when it returns, after its handler saw them.
            Wait.Until(() => dev.Napis[0].Packets >= Count, () => $"the NAPI to count {Count} packets (counted {dev.Napis[0].Packets})");
            Assert.Equal(Count, dev.Napis[0].Packets);
            Assert.True(poller.Calls >= poller.EmptyCalls);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>
    /// prefer_busy_poll with defer-hard-irqs and a long gro-flush-timeout: after the first datagram's interrupt, the queue
    /// stays masked while the application polls, so every later datagram is taken in by the application's thread.
    /// </summary>
    [Fact]
    public void PreferBusyPoll_KeepsTheQueueMasked_WhileTheApplicationPolls()
    {
        const int Count = 200;
        var sink = new Sink();
        var stack = UdpStacks.Create(sink.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1, DeferHardIrqs = 1, GroFlushTimeoutNs = 10_000_000_000 });
            dev.Start();
            var napi = dev.Napis[0];
            long startPolls = TestBackend.AfterStart(napi);
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var buffer = new byte[Size];
            // The interrupt is armed until it fires once; its completion then masks the queue and arms the watchdog.
            Fill(buffer, 0);
            sender.SendTo(buffer, dev.LocalEndPoint);
            Wait.Until(() => sink.Delivered == 1, () => "the first datagram through the interrupt");
            // Polls is counted after the poll returns, and the poll completes (clears SCHED) before it returns.
            Wait.Until(() => napi.Polls == startPolls + 1 && (napi.State & NapiState.Sched) == 0, () => $"the softirq to complete the NAPI (polls {napi.Polls})");
            var poller = new BusyPoller(dev, new BusyPollOptions { BusyPollUsecs = 200, PreferBusyPoll = true });
            sink.PollerThread = Environment.CurrentManagedThreadId;
            long softirqPolls = napi.Polls;

            for (int seq = 1; seq < Count; seq++)
            {
                Fill(buffer, seq);
                sender.SendTo(buffer, dev.LocalEndPoint);
                PollUntil(poller, () => sink.Delivered == seq + 1, $"datagram {seq}", sink);
            }

            Assert.Equal(Count - 1, sink.OnPollerThread);
            Assert.Equal(Count - 1, poller.Packets);
            Assert.Equal(softirqPolls + poller.Polls, napi.Polls);
            Assert.Equal(0, sink.Corrupt);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>When the application stops polling, the watchdog (gro-flush-timeout) takes the NAPI back: nothing stalls.</summary>
    [Fact]
    public void WhenTheApplicationStopsPolling_TheWatchdogTakesTheNapiBack()
    {
        const int Polled = 50;
        const int After = 50;
        var sink = new Sink();
        var stack = UdpStacks.Create(sink.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1, DeferHardIrqs = 2, GroFlushTimeoutNs = 1_000_000 });
            dev.Start();
            var poller = new BusyPoller(dev, new BusyPollOptions { BusyPollUsecs = 200, PreferBusyPoll = true });
            sink.PollerThread = Environment.CurrentManagedThreadId;
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var buffer = new byte[Size];
            for (int seq = 0; seq < Polled; seq++)
            {
                Fill(buffer, seq);
                sender.SendTo(buffer, dev.LocalEndPoint);
                PollUntil(poller, () => sink.Delivered == seq + 1, $"datagram {seq}", sink);
            }
            long byPoller = sink.OnPollerThread;
            long calls = poller.Calls;

            // The application has stopped polling; the queue may be masked with the watchdog armed.
            for (int seq = Polled; seq < Polled + After; seq++)
            {
                Fill(buffer, seq);
                sender.SendTo(buffer, dev.LocalEndPoint);
            }
            Wait.Until(() => sink.Delivered == Polled + After, () => $"the stack to take the NAPI back and deliver the rest ({sink.Delivered})");

            Assert.Equal(byPoller, sink.OnPollerThread);
            Assert.Equal(calls, poller.Calls);
            Assert.Equal(0, sink.OutOfOrder);
            Assert.Equal(0, sink.Corrupt);
            Assert.Equal(0, stack.Snapshot().Dropped);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>
    /// irq-suspend-timeout: each call that finds packets suspends the interrupt (napi_suspend_irqs), each that finds nothing
    /// resumes it (napi_resume_irqs), and without the timeout neither happens.
    /// </summary>
    [Theory]
    [InlineData(50_000_000L)]
    [InlineData(0L)]
    public void IrqSuspension_IsCountedPerCall(long suspendNs)
    {
        const int Count = 40;
        var sink = new Sink();
        var stack = UdpStacks.Create(sink.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1, DeferHardIrqs = 1, GroFlushTimeoutNs = 1_000_000 });
            dev.Start();
            var napi = dev.Napis[0];
            dev.SetNapi(napi, irqSuspendTimeoutNs: suspendNs);
            Assert.Equal(suspendNs, dev.NapiConfigs[0].IrqSuspendTimeoutNs);
            var poller = new BusyPoller(stack, napi.Id, new BusyPollOptions { BusyPollUsecs = 100, PreferBusyPoll = true });
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var buffer = new byte[Size];
            long found = 0, empty = 0;
            for (int seq = 0; seq < Count; seq++)
            {
                Fill(buffer, seq);
                sender.SendTo(buffer, dev.LocalEndPoint);
                Wait.Until(() =>
                {
                    var r = poller.Poll();
                    if (r.Packets > 0)
                        found++;
                    else
                        empty++;
                    return sink.Delivered == seq + 1;
                }, () => $"datagram {seq}");
            }
            for (int i = 0; i < 3; i++)
            {
                if (poller.Poll().Packets == 0)
                    empty++;
                else
                    found++;
            }

            Assert.Equal(Count, sink.Delivered);
            Assert.Equal(found + empty, poller.Calls);
            Assert.Equal(empty, poller.EmptyCalls);
            Assert.Equal(suspendNs > 0 ? found : 0, poller.IrqSuspends);
            Assert.Equal(suspendNs > 0 ? empty : 0, poller.IrqResumes);
            Assert.True(empty >= 3);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>A NAPI whose threaded busy-poll thread owns it cannot be taken: one poller at a time, the application counts it busy.</summary>
    [Fact]
    public void ANapiOwnedByItsBusyPollThread_IsNotPolledByTheApplication()
    {
        var sink = new Sink();
        var stack = UdpStacks.Create(sink.Handle);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            dev.Start();
            var napi = dev.Napis[0];
            dev.SetNapi(napi, ThreadedMode.BusyPoll);
            Wait.Until(() => napi.State.HasFlag(NapiState.InBusyPoll), () => "the NAPI thread to own the NAPI");
            var poller = new BusyPoller(dev, new BusyPollOptions { BusyPollUsecs = 0 });

            var result = poller.Poll();

            Assert.Equal(new BusyPollResult(0, 0, 1), result);
            Assert.Equal(1, poller.Busy);
            Assert.Equal(0, poller.Polls);
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Fact]
    public void BadOptionsAndUnknownIds_AreRefused()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            dev.Start();

            var budget = Assert.Throws<ArgumentOutOfRangeException>(() => new BusyPoller(dev, new BusyPollOptions { BusyPollBudget = 0 }));
            var usecs = Assert.Throws<ArgumentOutOfRangeException>(() => new BusyPoller(dev, new BusyPollOptions { BusyPollUsecs = -1 }));
            var id = Assert.Throws<ArgumentException>(() => new BusyPoller(stack, 42));

            Assert.Equal("busy_poll_budget", budget.ParamName);
            Assert.Contains("between 1 and 65535", budget.Message);
            Assert.Equal("busy_poll_usecs", usecs.ParamName);
            Assert.Contains("ENOENT", id.Message);
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Fact]
    public void PollFromAHandler_IsRefused()
    {
        Exception? error = null;
        BusyPoller? poller = null;
        long delivered = 0;
        var stack = UdpStacks.Create((batch, cpu) =>
        {
            error ??= Record.Exception(() => poller!.Poll());
            Interlocked.Add(ref delivered, batch.Length);
        });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            poller = new BusyPoller(dev);
            dev.Start();
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sender.SendTo(new byte[8], dev.LocalEndPoint);
            Wait.Until(() => Interlocked.Read(ref delivered) == 1, () => "the datagram");

            Assert.IsType<InvalidOperationException>(error);
        }
        finally
        {
            stack.Dispose();
        }
    }

    private static void PollUntil(BusyPoller poller, Func<bool> done, string what, Sink sink) =>
        Wait.Until(() =>
        {
            poller.Poll();
            return done();
        }, () => $"{what} (delivered {sink.Delivered})");

    private static void Fill(byte[] buffer, int seq)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer, seq);
        for (int i = 4; i < buffer.Length; i++)
            buffer[i] = (byte)(seq + i);
    }

    /// <summary>Checks every datagram's bytes and order, and counts those delivered on the polling thread.</summary>
    private sealed class Sink
    {
        private long _delivered;
        private long _onPoller;
        private long _corrupt;
        private long _outOfOrder;
        private int _last = -1;

        public int PollerThread { get; set; } = -1;

        public long Delivered => Interlocked.Read(ref _delivered);

        public long OnPollerThread => Interlocked.Read(ref _onPoller);

        public long Corrupt => Interlocked.Read(ref _corrupt);

        public long OutOfOrder => Interlocked.Read(ref _outOfOrder);

        public void Handle(ReadOnlySpan<Packet> batch, int cpu)
        {
            foreach (var p in batch)
            {
                var data = p.Data;
                int seq = data.Length == Size ? BinaryPrimitives.ReadInt32LittleEndian(data) : -1;
                bool intact = seq >= 0;
                for (int i = 4; intact && i < data.Length; i++)
                    intact = data[i] == (byte)(seq + i);
                if (!intact)
                    Interlocked.Increment(ref _corrupt);
                else if (Interlocked.Exchange(ref _last, seq) >= seq)
                    Interlocked.Increment(ref _outOfOrder);
            }
            if (Environment.CurrentManagedThreadId == PollerThread)
                Interlocked.Add(ref _onPoller, batch.Length);
            Interlocked.Add(ref _delivered, batch.Length);
        }
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class BusyPollerTestsIoUring : BusyPollerTests
{
    public BusyPollerTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
