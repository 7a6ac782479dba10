using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;
using Softnet.Scheduling;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>A poll that completes sends its replies before it unmasks the queue's interrupt.</summary>
[Collection(UdpDeviceCollection.Name)]
public class ReplyOrderTests
{
    public ReplyOrderTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected ReplyOrderTests(UdpBackend backend) => TestBackend.Current = backend;

    /// <summary>
    /// Ping-pong, one request at a time: every re-arm of the interrupt already finds the reply to the request that
    /// poll handled sent (TxPackets counted), so the round trip never waits behind the re-arm.
    /// </summary>
    [Fact]
    public void EachReplyLeavesBeforeTheInterruptIsRearmed()
    {
        const int Requests = 20;
        var platform = new RearmRecordingPlatform();
        UdpDevice? dev = null;
        var stack = new NetStack(
            UdpStacks.Options() with { Platform = platform },
            (batch, _) =>
            {
                foreach (var p in batch)
                    dev!.Reply(p, p.Data);
            });
        var seen = new List<long>();
        try
        {
            dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            platform.OnRearm = () => dev.TxPackets;
            dev.Start();
            var napi = Assert.Single(dev.Napis);
            TestBackend.AfterStart(napi);
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            client.ReceiveTimeout = (int)Wait.Patience.TotalMilliseconds;
            var reply = new byte[16];
            for (int i = 1; i <= Requests; i++)
            {
                platform.Recorded.Clear();
                client.SendTo(BitConverter.GetBytes(i), dev.LocalEndPoint);
                Assert.Equal(4, client.Receive(reply));
                Assert.Equal(i, BitConverter.ToInt32(reply, 0));
                Wait.Until(() => (napi.State & NapiState.Sched) == 0 && !platform.Recorded.IsEmpty, () => $"request {i}'s poll to complete");
                seen.Add(platform.Recorded.Max());
            }
        }
        finally
        {
            stack.Dispose();
        }

        // The re-arm after request i's poll saw i replies sent.
        Assert.Equal(Enumerable.Range(1, Requests).Select(i => (long)i), seen);
    }

    /// <summary>The system platform, with a softirq waiter that records a value at every interrupt re-arm.</summary>
    private sealed class RearmRecordingPlatform : IPlatform
    {
        public Func<long>? OnRearm { get; set; }

        public ConcurrentQueue<long> Recorded { get; } = new();

        public long NowNs() => SystemPlatform.Instance.NowNs();

        public int CurrentOsCpu() => SystemPlatform.Instance.CurrentOsCpu();

        public IReadOnlyList<int> AllowedOsCpus() => SystemPlatform.Instance.AllowedOsCpus();

        public IWaiter CreateWaiter() => SystemPlatform.Instance.CreateWaiter();

        public IIrqWaiter CreateSoftirqWaiter() => new Recording(SystemPlatform.Instance.CreateSoftirqWaiter(), this);

        public IThreadHandle StartThread(string name, int osCpu, Action setup, Action body) => SystemPlatform.Instance.StartThread(name, osCpu, setup, body);

        public void Yield() => SystemPlatform.Instance.Yield();

        public void CondResched() => SystemPlatform.Instance.CondResched();

        public void Backoff(int attempt) => SystemPlatform.Instance.Backoff(attempt);

        public void Sleep(TimeSpan duration) => SystemPlatform.Instance.Sleep(duration);

        private sealed class Recording(IIrqWaiter inner, RearmRecordingPlatform platform) : IIrqWaiter
        {
            public void Wait(long timeoutNs) => inner.Wait(timeoutNs);

            public bool Wake() => inner.Wake();

            public void Register(int fd, IIrqHandler handler) => inner.Register(fd, handler);

            public void Unregister(int fd) => inner.Unregister(fd);

            public void Rearm(int fd)
            {
                if (platform.OnRearm is { } value)
                    platform.Recorded.Enqueue(value());
                inner.Rearm(fd);
            }

            public bool TryPollIrqs() => inner.TryPollIrqs();

            public void Dispose() => inner.Dispose();
        }
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class ReplyOrderTestsIoUring : ReplyOrderTests
{
    public ReplyOrderTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
