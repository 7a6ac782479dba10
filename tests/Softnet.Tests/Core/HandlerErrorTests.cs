using System.Collections.Concurrent;
using Softnet.Core;
using Softnet.Devices;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>A handler that throws loses the batch (drop reason handler) but not the stack.</summary>
public sealed class HandlerErrorTests
{
    private sealed class PoisonHandler
    {
        private int _last = -1;
        private long _delivered;
        private long _thrownPackets;
        private long _thrownBatches;
        private int _disorder;

        public long Delivered => Interlocked.Read(ref _delivered);

        public long ThrownPackets => Interlocked.Read(ref _thrownPackets);

        public long ThrownBatches => Interlocked.Read(ref _thrownBatches);

        public int Last => Volatile.Read(ref _last);

        public int Disorder => Volatile.Read(ref _disorder);

        public const int PoisonFlow = 666;

        public void Handle(ReadOnlySpan<Packet> batch, int cpu)
        {
            foreach (var p in batch)
            {
                if (Stacks.Flow(p) == PoisonFlow)
                {
                    Interlocked.Add(ref _thrownPackets, batch.Length);
                    Interlocked.Increment(ref _thrownBatches);
                    throw new InvalidOperationException("poisoned packet");
                }
            }
            foreach (var p in batch)
            {
                if (Stacks.Seq(p) <= Volatile.Read(ref _last))
                    Interlocked.Increment(ref _disorder);
                Volatile.Write(ref _last, Stacks.Seq(p));
            }
            Interlocked.Add(ref _delivered, batch.Length);
        }
    }

    [Theory]
    [InlineData(KickMode.Softirq, 0x8765_4321u)]
    [InlineData(KickMode.BacklogThreads, 0x8765_4321u)]
    [InlineData(KickMode.Softirq, 0u)]
    public void ThrowingHandler_CountsHandlerDrops_ReportsErrors_AndKeepsDelivering(KickMode mode, uint hash)
    {
        const int packets = 2_000;
        var handler = new PoisonHandler();
        var errors = new ConcurrentQueue<Exception>();
        // Hashed packets go to CPU 1 (delivered by its threads); unhashed ones stay on the sender (delivered inline).
        var options = Stacks.Options(2, mode) with { RpsCpus = "2", OnHandlerError = errors.Enqueue, NetdevMaxBacklog = 100_000 };
        var stack = new NetStack(options, handler.Handle);
        try
        {
            var lo = new LoopbackDevice(stack);
            using var cpu = TestPlatform.As(0);
            var clean = new OneFlowWriter(1, hash, 0);
            var poison = new OneFlowWriter(PoisonHandler.PoisonFlow, hash, 0);
            for (int i = 0; i < packets / 10; i++)
            {
                lo.Send(i % 7 == 0 ? 4 : 1, ref clean);
                lo.Send(1, ref poison);
                lo.Send(i % 5 == 0 ? 5 : 3, ref clean);
            }
            int sent = clean.NextSeq + poison.NextSeq;
            Eventually.True(
                () => handler.Delivered + handler.ThrownPackets == sent,
                () => $"all {sent} packets to reach the handler; delivered {handler.Delivered} thrown {handler.ThrownPackets} in {handler.ThrownBatches} batches{Diagnose.Describe(stack)}");
            Assert.True(handler.ThrownBatches > 0);

            // Delivery goes on after the errors: clean packets sent afterwards all arrive.
            for (int i = 0; i < 20; i++)
            {
                lo.Send(1, ref clean);
                int expected = clean.NextSeq - 1;
                Eventually.True(() => handler.Last == expected, () => $"clean packet {expected} to arrive; last {handler.Last}");
            }
            sent += 20;
            // The stack counts after the handler returned or threw: wait until its counters caught up with the handler's.
            Eventually.True(
                () =>
                {
                    var s = stack.Snapshot();
                    return handler.Delivered + handler.ThrownPackets == sent && s.Delivered == handler.Delivered
                        && s.Drops[DropReason.Handler] == handler.ThrownPackets && errors.Count == handler.ThrownBatches;
                },
                () => $"the stack's counters to settle{Diagnose.Describe(stack)}");

            var snap = stack.Snapshot();
            Assert.Equal(sent, handler.Delivered + handler.ThrownPackets);
            Assert.Equal(handler.ThrownPackets, snap.Drops[DropReason.Handler]);
            Assert.Equal(handler.Delivered, snap.Delivered);
            Assert.Equal(sent, snap.Processed);
            Assert.Equal(handler.ThrownBatches, errors.Count);
            Assert.All(errors, e => Assert.IsType<InvalidOperationException>(e));
            // Handler drops are not backlog drops: softnet_stat's dropped column stays 0.
            Assert.All(snap.Cpus, c => Assert.Equal(0, c.Dropped));
            Assert.Equal(0, handler.Disorder);
            stack.Dispose();
            snap = stack.Snapshot();
            Assert.Equal(sent, snap.Delivered + snap.Dropped);
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Fact]
    public void ThrowingHandler_WithoutCallback_IsLoggedOnce()
    {
        var log = new ConcurrentQueue<string>();
        var handler = new PoisonHandler();
        var stack = new NetStack(Stacks.Options(1, log: log), handler.Handle);
        try
        {
            var lo = new LoopbackDevice(stack);
            var clean = new OneFlowWriter(1, 0, 0);
            var poison = new OneFlowWriter(PoisonHandler.PoisonFlow, 0, 0);
            for (int i = 0; i < 100; i++)
            {
                // One at a time, each handled before the next is sent: every packet is its own batch, even when the
                // softirq thread rather than the sender's inline pass delivers it.
                if (i % 10 == 3)
                    lo.Send(1, ref poison);
                else
                    lo.Send(1, ref clean);
                long handled = i + 1;
                Eventually.True(() => handler.Delivered + handler.ThrownPackets == handled, "each packet to reach the handler");
            }
            Assert.Equal(10, handler.ThrownBatches);
            Assert.Equal(10, stack.Snapshot().Drops[DropReason.Handler]);
            var message = Assert.Single(log);
            Assert.Contains("InvalidOperationException", message);
        }
        finally
        {
            stack.Dispose();
        }
    }
}
