using Softnet.Core;
using Softnet.Devices;
using Softnet.Scheduling;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>
/// Backlog threads: a sender's own backlog that its thread holds (SCHED_THREADED) is polled by the sender, as a backlog
/// the sender claimed itself would be, so it does not wait for a thread that cannot run while the sender runs on its CPU.
/// </summary>
public sealed class ThreadedBacklogInlineTests
{
    [Fact]
    public void SendersOwnBacklog_HeldByItsThread_IsPolledByTheSender_InOrder()
    {
        const int remote = 100, local = 100;
        using var gate = new ManualResetEventSlim();
        // CPU 0's backlog thread is started but does not run its loop until the gate opens: it stands for a thread
        // pinned to the CPU a sender keeps busy.
        var platform = new GatedPlatform(new TestPlatform(2), "backlog_napi/0", gate);
        var options = Stacks.Options(2, KickMode.BacklogThreads) with { Platform = platform, RpsCpus = "1" };
        var seqs = new List<(int Cpu, int Seq)>();
        var stack = new NetStack(options, (batch, cpu) =>
        {
            lock (seqs)
            {
                foreach (var p in batch)
                    seqs.Add((cpu, Stacks.Seq(p)));
            }
        });
        try
        {
            var lo = new LoopbackDevice(stack);
            var writer = new OneFlowWriter(flow: 1, hash: 0x5151_5151, firstSeq: 0);
            using (TestPlatform.As(1))
                lo.Send(remote, ref writer);
            // CPU 1's enqueue claimed CPU 0's backlog and handed it to the thread, which has not run.
            var backlog = stack.Cpu(0).Backlog;
            Assert.True(backlog.Has(NapiState.SchedThreaded));
            Assert.Equal(remote, stack.Snapshot().Cpus[0].InputQueueLength);
            lock (seqs)
                Assert.Empty(seqs);

            using (TestPlatform.As(0))
                lo.Send(local, ref writer);

            // CPU 0's sender polled the backlog: everything delivered on CPU 0, in order, and the backlog completed.
            var snap = stack.Snapshot();
            Assert.Equal(remote + local, snap.Cpus[0].Delivered);
            Assert.Equal(0, snap.Cpus[0].InputQueueLength + snap.Cpus[0].ProcessQueueLength);
            Assert.Equal(0, snap.Dropped);
            Assert.False(backlog.Has(NapiState.Sched | NapiState.SchedThreaded));
            lock (seqs)
                Assert.Equal(Enumerable.Range(0, remote + local).Select(s => (0, s)), seqs);

            // The thread, let go, finds the backlog no longer its own and goes to sleep without polling.
            long polls = backlog.Polls;
            gate.Set();
            var thread = stack.Cpu(0).BacklogThread!;
            Eventually.True(() => thread.Sleeps > 0, "CPU 0's backlog thread to go to sleep");
            Assert.Equal(polls, backlog.Polls);
            Assert.Equal(remote + local, stack.Snapshot().Delivered);
        }
        finally
        {
            gate.Set();
            stack.Dispose();
        }
    }

    /// <summary>The test platform, with one named thread held at its start until a gate opens.</summary>
    private sealed class GatedPlatform(TestPlatform inner, string gated, ManualResetEventSlim gate) : IPlatform
    {
        public long NowNs() => inner.NowNs();

        public int CurrentOsCpu() => inner.CurrentOsCpu();

        public IReadOnlyList<int> AllowedOsCpus() => inner.AllowedOsCpus();

        public IWaiter CreateWaiter() => inner.CreateWaiter();

        public IIrqWaiter CreateSoftirqWaiter() => inner.CreateSoftirqWaiter();

        // The gate holds the body, not the setup: the start returns once the setup ran.
        public IThreadHandle StartThread(string name, int osCpu, Action setup, Action body) =>
            inner.StartThread(name, osCpu, setup, name == gated ? () =>
            {
                gate.Wait();
                body();
            }
        : body);

        public void Yield() => inner.Yield();

        public void CondResched() => inner.CondResched();

        public void Backoff(int attempt) => inner.Backoff(attempt);

        public void Sleep(TimeSpan duration) => inner.Sleep(duration);
    }
}
