namespace Softnet.StatsD.Tests;

/// <summary>The live receive-path allocation count the server exports as <c>statsd_receive_allocated_bytes_total</c>.</summary>
public sealed class ReceiveAllocationsTests
{
    /// <summary>
    /// A thread's first batch only marks its start; from then on what the thread allocates between batches is added,
    /// and a thread that allocates nothing between batches adds nothing.
    /// </summary>
    [Fact]
    public void CountsWhatAThreadAllocatesBetweenItsBatches_NotBeforeItsFirst()
    {
        var allocations = new ReceiveAllocations();
        long before = 0;
        byte[]? kept = null;
        var thread = new Thread(() =>
        {
            kept = new byte[10_000];
            allocations.Observe();
            before = allocations.Bytes;
            allocations.Observe();
            allocations.Observe();
            kept = new byte[50_000];
            allocations.Observe();
        });
        thread.Start();
        thread.Join();

        Assert.Equal(0, before);
        Assert.NotNull(kept);
        Assert.InRange(allocations.Bytes, 50_000, 50_200);
    }
}
