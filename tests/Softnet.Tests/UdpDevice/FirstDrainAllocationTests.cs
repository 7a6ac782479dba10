using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>
/// A new stack's first drain allocates nothing once the process has run the receive path before: what a queue needs
/// (its RX ring, its overload detector, its CPU's RPS groups) is made when the stack and the queue start, not on the
/// first poll. This is what <c>softnet run --prefill</c> measures after its warm-up drain on a stack of its own.
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class FirstDrainAllocationTests
{
    private const int Datagrams = 2_000;
    private const int Flows = 16;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("")]
    [InlineData("all")]
    public void AFreshStacksDrain_AllocatesNothing_AfterAWarmUpDrain(string rps)
    {
        // The warm-up: the same drain on a stack of its own, so this process's code is compiled and its statics made.
        Drain(rps, metered: false);
        // The runtime's own one-time work (tiered compilation promoting a method) can still land in one drain; an
        // allocation per packet, or one the stack makes on its first poll, lands in every drain.
        var allocations = new List<long>();
        for (int attempt = 0; attempt < 3 && (allocations.Count == 0 || allocations[^1] != 0); attempt++)
        {
            var (delivered, allocated, dropped) = Drain(rps, metered: true);
            Assert.Equal(Datagrams, delivered + dropped);
            Assert.True(delivered > 0, "nothing was delivered");
            allocations.Add(allocated);
        }
        Assert.True(allocations[^1] == 0, $"every fresh stack's drain allocated: {string.Join(", ", allocations)} B");
    }

    /// <summary>
    /// Queues <see cref="Datagrams"/> in a one-queue device that is not polling yet, starts it and waits for all of
    /// them; returns what the handler got, what the stack's threads allocated from the start to the end of the drain
    /// (when <paramref name="metered"/>, after the stack's locks have their wait events: <see cref="TestSupport.LockWaitEvents"/>),
    /// and what the stack dropped.
    /// </summary>
    private static (long Delivered, long Allocated, long Dropped) Drain(string rps, bool metered)
    {
        long delivered = 0;
        var platform = new TestSupport.AllocationMeteringPlatform();
        var stack = new NetStack(UdpStacks.Options(KickMode.Softirq, rps) with { Platform = platform }, (batch, _) =>
        {
            long bytes = 0;
            foreach (var p in batch)
                bytes += p.Data.Length;
            Interlocked.Add(ref delivered, bytes > 0 ? batch.Length : 0);
        });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = UdpBackend.Epoll, Queues = 1 });
            // Flows from many source ports: with RPS their hashes spread them over every CPU, so the warm-up runs
            // both the local and the cross-CPU path whichever CPU the metered drain's flows land on.
            var payload = new byte[Payload.Bytes];
            for (int flow = 0; flow < Flows; flow++)
            {
                using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                for (int i = 0; i < Datagrams / Flows; i++)
                    sender.SendTo(payload, dev.LocalEndPoint);
            }
            long before = 0;
            if (metered)
                Assert.True(TestSupport.LockWaitEvents.Prime(stack) > 0, "no lock found under the stack");
            Assert.True(!metered || platform.TryReadWhileIdle(Patience, out before), "the stack's threads never all slept before the drain");
            dev.Start();
            var clock = Stopwatch.StartNew();
            while (Volatile.Read(ref delivered) + stack.Snapshot().Dropped < Datagrams && clock.Elapsed < Patience)
                Thread.Sleep(1);
            long after = 0;
            Assert.True(!metered || platform.TryReadWhileIdle(Patience, out after), "the stack's threads never all slept after the drain");
            return (Volatile.Read(ref delivered), after - before, stack.Snapshot().Dropped);
        }
        finally
        {
            stack.Dispose();
        }
    }
}
