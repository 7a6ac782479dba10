using Softnet.Core;
using Softnet.Overload;
using Softnet.Scheduling;
using Softnet.Tests.Admin;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Overload;

/// <summary>A queue's fill reaches its CPU's overload level in the poll that read it, not at the period's end.</summary>
public sealed class QueueLevelTests
{
    /// <summary>
    /// A queue that reports 90% of its buffer in use is polled with its whole weight (the handler holds the first poll
    /// until 200 packets are queued, so the next poll finds more than 64): once it has delivered them, its CPU's socket
    /// fill signal is 0.9 without waiting for the end of its 1 s period, when the CPU looks at all its queues.
    /// </summary>
    [Fact]
    public void AQueueFillingUp_ShowsInItsCpusLevel_WithinThePollThatReadIt()
    {
        const int packets = 200;
        const long Period = 1_000_000_000;
        using var queued = new ManualResetEventSlim();
        long handled = 0;
        // Periods are whole seconds of the stack's clock: start early in one, so that its end, when the CPU would read
        // the fill anyway, does not come during the test.
        long left = Period - (SystemPlatform.Instance.NowNs() % Period);
        if (left < Period / 2)
            Thread.Sleep(TimeSpan.FromTicks(left / 100) + TimeSpan.FromMilliseconds(10));
        var stack = new NetStack(
            new NetStackOptions { Cpus = 1, Pin = false, OverloadPeriod = TimeSpan.FromTicks(Period / 100), Log = _ => { } },
            (batch, _) =>
            {
                queued.Wait();
                Interlocked.Add(ref handled, batch.Length);
            });
        try
        {
            var device = new FakeQueueDevice(stack, "fq0", channels: 1, maxChannels: 1);
            var queue = (FakeQueue)device.Napis.Single();
            queue.ReportedFill = new QueueFill(QueuedBytes: 900, BufferBytes: 1000, Drops: 0);
            for (int i = 0; i < packets; i++)
                device.Send(flow: 1, seq: i);
            queued.Set();
            Wait.Until(() => Volatile.Read(ref handled) == packets, () => $"{handled} of {packets} handled");
            Wait.Until(() => queue.PollCount >= 3, () => $"the queue's polls to be counted: {queue.PollCount}");

            var cpu = stack.Cpu(0).Overload;
            Assert.Equal(0.9, cpu.Signals.SocketFill, 3);
            Assert.True(cpu.Level >= 0.9, $"cpu {cpu}");
        }
        finally
        {
            stack.Dispose();
        }
    }
}
