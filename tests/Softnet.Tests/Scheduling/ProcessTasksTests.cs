using Softnet.Interop;
using Softnet.Scheduling;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Scheduling;

/// <summary>The housekeeping sweep's listing of the process's threads: every thread, any number of them, and no garbage.</summary>
public sealed class ProcessTasksTests
{
    [Fact]
    public void ListsTheCallingThreadAndAThreadStartedMeanwhile_GrowingItsArray_AndThenAllocatesNothing()
    {
        using var release = new ManualResetEventSlim();
        int started = 0;
        var other = new Thread(() =>
        {
            Volatile.Write(ref started, Libc.GetTid());
            release.Wait();
        })
        { IsBackground = true };
        other.Start();
        try
        {
            Eventually.True(() => Volatile.Read(ref started) != 0, "the other thread to start");
            var tids = new int[1];

            int count = ProcessTasks.List(ref tids);

            Assert.True(count > 2, $"only {count} threads listed");
            Assert.True(tids.Length >= count);
            Assert.Contains(Libc.GetTid(), tids.Take(count));
            Assert.Contains(started, tids.Take(count));
            Assert.Equal(count, tids.Take(count).Distinct().Count());

            Array.Resize(ref tids, count * 4);
            long before = GC.GetAllocatedBytesForCurrentThread();
            ProcessTasks.List(ref tids);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            release.Set();
            other.Join();
        }
    }
}
