using Softnet.Core;
using Softnet.Scheduling;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Scheduling;

/// <summary>
/// A thread's setup on the real platform: over before the start returns (so what it allocates is not charged to the
/// packets that follow), before the body, and a failed setup fails the start instead of running the body.
/// </summary>
public sealed class PacketThreadSetupTests
{
    [Fact]
    public void StartThread_ReturnsOnlyOnceTheSetupHasRun_AndTheBodyRunsAfterIt()
    {
        bool setUp = false;
        bool setUpBeforeBody = false;
        var handle = SystemPlatform.Instance.StartThread(
            "setup-order",
            -1,
            () => Volatile.Write(ref setUp, true),
            () => setUpBeforeBody = Volatile.Read(ref setUp));

        Assert.True(Volatile.Read(ref setUp));
        Assert.True(handle.Join(TimeSpan.FromSeconds(30)));
        Assert.True(setUpBeforeBody);
    }

    [Fact]
    public void StartThread_WhoseSetupThrows_ThrowsThatException_AndNeverRunsTheBody()
    {
        var failure = new InvalidOperationException("setup failed");
        Thread? thread = null;
        bool bodyRan = false;

        var thrown = Assert.Throws<InvalidOperationException>(() => SystemPlatform.Instance.StartThread(
            "setup-throws",
            -1,
            () =>
            {
                thread = Thread.CurrentThread;
                throw failure;
            },
            () => bodyRan = true));

        Assert.Same(failure, thrown);
        Assert.NotNull(thread);
        thread.Join();
        Assert.False(bodyRan);
    }

    [Fact]
    public void StartThread_WithoutSetup_RunsTheBody()
    {
        IPlatform platform = new TestPlatform(1);
        bool ran = false;

        var handle = platform.StartThread("no-setup", -1, () => ran = true);

        Assert.True(handle.Join(TimeSpan.FromSeconds(30)));
        Assert.True(ran);
    }

    [Fact]
    public void StackThreads_AreSetUpWhenTheStackIsMade()
    {
        var platform = new SetupCountingPlatform(new TestPlatform(2));

        using var stack = new NetStack(new NetStackOptions { Cpus = 2, Pin = false, Platform = platform, Mode = KickMode.BacklogThreads }, (_, _) => { });

        // ksoftirqd and backlog_napi for each CPU, every one set up before the constructor returned.
        Assert.Equal(4, platform.Started);
        Assert.Equal(4, platform.SetUp);
    }

    /// <summary>Counts the threads started and the setups that ran, each as the platform reports it.</summary>
    private sealed class SetupCountingPlatform(IPlatform inner) : IPlatform
    {
        private int _started;
        private int _setUp;

        public int Started => Volatile.Read(ref _started);

        public int SetUp => Volatile.Read(ref _setUp);

        public long NowNs() => inner.NowNs();

        public int CurrentOsCpu() => inner.CurrentOsCpu();

        public IReadOnlyList<int> AllowedOsCpus() => inner.AllowedOsCpus();

        public IWaiter CreateWaiter() => inner.CreateWaiter();

        public IIrqWaiter CreateSoftirqWaiter() => inner.CreateSoftirqWaiter();

        public IThreadHandle StartThread(string name, int osCpu, Action setup, Action body)
        {
            Interlocked.Increment(ref _started);
            return inner.StartThread(
                name,
                osCpu,
                () =>
                {
                    setup();
                    Interlocked.Increment(ref _setUp);
                },
                body);
        }

        public void Yield() => inner.Yield();

        public void CondResched() => inner.CondResched();

        public void Backoff(int attempt) => inner.Backoff(attempt);

        public void Sleep(TimeSpan duration) => inner.Sleep(duration);
    }
}
