using Softnet.Core;
using Softnet.Overload;
using Softnet.Tests.Admin;

namespace Softnet.Tests.Overload;

/// <summary>A queue read flat out has its fill read (a syscall) once per interval, not after every full poll.</summary>
public sealed class FillReadIntervalTests
{
    /// <summary>
    /// Full polls ten to an interval, 2.5 intervals long: the fill is read after the first and then once per interval,
    /// and the level keeps the last reading in between; a poll that did not use its weight emptied the queue and
    /// clears the fill without a read.
    /// </summary>
    [Fact]
    public void FullPolls_ReadTheFillOncePerInterval_AndAPollThatEmptiedTheQueueClearsIt()
    {
        using var stack = new NetStack(new NetStackOptions { Cpus = 1, Pin = false, Log = _ => { } }, (_, _) => { });
        // A queue of no device: the stack's periodic tick never reads it, so every read counted is a poll's.
        var queue = new FakeQueue(stack, weight: 64) { ReportedFill = new QueueFill(QueuedBytes: 900, BufferBytes: 1000, Drops: 0) };
        var overload = new NapiOverload(queue, stack.OverloadControl, nowNs: 0);
        const long Step = NapiOverload.FillReadIntervalNs / 10;

        for (int i = 0; i < 25; i++)
            overload.AccountPoll(i * Step, (i * Step) + 1, work: 64, weight: 64);

        Assert.Equal(3, queue.FillReads);
        Assert.Equal(0.9, overload.Info().Signals.SocketFill, 3);

        overload.AccountPoll(25 * Step, (25 * Step) + 1, work: 10, weight: 64);

        Assert.Equal(3, queue.FillReads);
        Assert.Equal(0, overload.Info().Signals.SocketFill);
    }
}
