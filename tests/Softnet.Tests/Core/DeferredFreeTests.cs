using Softnet.Core;
using Softnet.Devices;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>Deferred free (skb_attempt_defer_free, skb_defer_free_flush): packets go back to the CPU that allocated them, kicked per mode.</summary>
public sealed class DeferredFreeTests
{
    [Theory]
    [InlineData(KickMode.Softirq)]
    [InlineData(KickMode.BacklogThreads)]
    public void PacketsDeliveredElsewhere_ReturnToTheirOwnersPool(KickMode mode)
    {
        const int packets = 20_000;
        long foreign = 0, delivered = 0;
        // Everything hashed goes to CPU 1; the sender is CPU 0, so CPU 1 frees CPU 0's packets. The pool is big enough
        // that the sender never runs short (a short pool would flush the defer list itself, before any kick).
        var options = Stacks.Options(2, mode) with { RpsCpus = "2", SkbDeferMax = 64, PacketBufferSize = 128, PacketPoolSize = 4096 };
        var stack = new NetStack(options, (batch, cpu) =>
        {
            foreach (var p in batch)
            {
                if (p.OwnerCpu == 0 && cpu == 1)
                    Interlocked.Increment(ref foreign);
            }
            Interlocked.Add(ref delivered, batch.Length);
        });
        try
        {
            var lo = new LoopbackDevice(stack);
            using var cpu = TestPlatform.As(0);
            var w = new OneFlowWriter(1, 0xabcdef01, 0);
            // In chunks that fit CPU 1's backlog, so nothing is dropped.
            for (int chunk = 0; chunk < packets; chunk += 500)
            {
                for (int i = 0; i < 500; i += 50)
                    lo.Send(50, ref w);
                long expected = chunk + 500;
                Eventually.True(() => Interlocked.Read(ref delivered) == expected, () => $"{expected} deliveries{Diagnose.Describe(stack)}");
            }

            var pool0 = stack.Cpu(0).Pool;
            var pool1 = stack.Cpu(1).Pool;
            var snap = stack.Snapshot();
            Assert.Equal(packets, Interlocked.Read(ref foreign));
            Assert.Equal(0, snap.Dropped);
            Assert.Equal(0, snap.Cpus[0].Processed);
            // CPU 1 never allocated: nothing of its pool is missing.
            Assert.Equal(pool1.Total, pool1.Available);
            Assert.Equal(0, pool1.Grown);
            if (mode == KickMode.BacklogThreads)
            {
                // The defer kick schedules CPU 0's backlog NAPI (its thread flushes), never an IPI.
                Assert.Equal(0, snap.IpiSent);
                Assert.True(stack.Cpu(0).Backlog.Polls > 0, $"CPU 0's backlog NAPI was never kicked to flush its defer list; pool0 {pool0.Available}/{pool0.Total} defer {pool0.DeferCount}{Diagnose.Describe(stack)}");
            }
            else
            {
                // CPU 1 sends no RPS IPIs (it only delivers): its IPIs are defer kicks.
                Assert.True(snap.Cpus[1].IpiSent > 0, "no defer IPI from CPU 1");
            }

            // Packets still on CPU 0's defer list come back at its next softirq pass: poke it with local traffic.
            Eventually.True(
                () =>
                {
                    var poke = new OneFlowWriter(2, 0, 0);
                    lo.Send(1, ref poke);
                    return pool0.Available == pool0.Total;
                },
                () => $"CPU 0's pool to recover: {pool0.Available} of {pool0.Total} available");
        }
        finally
        {
            stack.Dispose();
        }
    }
}
