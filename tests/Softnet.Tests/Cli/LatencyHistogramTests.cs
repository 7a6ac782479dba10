using Softnet.Load;

namespace Softnet.Tests.Cli;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void SmallValues_AreExact()
    {
        var h = new LatencyHistogram();
        for (int v = 0; v < 32; v++)
            h.Record(v);

        Assert.Equal(32, h.Count);
        Assert.Equal(0, h.Percentile(0));
        Assert.Equal(15, h.Percentile(0.5));
        Assert.Equal(31, h.Percentile(1));
    }

    [Fact]
    public void Percentiles_OfAUniformRange_AreWithinOneBucket()
    {
        var h = new LatencyHistogram();
        for (int v = 1; v <= 100_000; v++)
            h.Record(v);

        AssertNear(50_000, h.Percentile(0.50));
        AssertNear(99_000, h.Percentile(0.99));
        AssertNear(99_900, h.Percentile(0.999));
    }

    [Fact]
    public void Percentiles_SeeTheTail()
    {
        var h = new LatencyHistogram();
        for (int i = 0; i < 990; i++)
            h.Record(2_000);
        for (int i = 0; i < 10; i++)
            h.Record(5_000_000);

        AssertNear(2_000, h.Percentile(0.50));
        AssertNear(2_000, h.Percentile(0.99));
        AssertNear(5_000_000, h.Percentile(0.999));
    }

    [Fact]
    public void Merge_AddsCounts()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        for (int i = 0; i < 100; i++)
            a.Record(1_000);
        for (int i = 0; i < 300; i++)
            b.Record(9_000);

        a.Merge(b);

        Assert.Equal(400, a.Count);
        AssertNear(1_000, a.Percentile(0.25));
        AssertNear(9_000, a.Percentile(0.26));
    }

    [Fact]
    public void Empty_AndOutOfRangeValues()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.Percentile(0.99));

        h.Record(-5);
        h.Record(long.MaxValue);

        Assert.Equal(0, h.Percentile(0.5));
        Assert.Equal(long.MaxValue, h.Percentile(1));
    }

    [Fact]
    public void EveryValue_LandsInABucket_NoMoreThanAThirtySecondAboveIt()
    {
        var rng = new Random(7);
        for (int i = 0; i < 100_000; i++)
        {
            long v = rng.NextInt64(0, long.MaxValue) >> rng.Next(0, 63);
            int index = LatencyHistogram.IndexOf((ulong)v);
            long highest = LatencyHistogram.HighestValueOf(index);

            Assert.InRange(index, 0, LatencyHistogram.BucketCount - 1);
            Assert.True(highest >= v && highest - v <= v / 32, $"{v} is in a bucket up to {highest}");
            Assert.True(index == 0 || LatencyHistogram.HighestValueOf(index - 1) < v);
        }
    }

    [Fact]
    public void Record_AllocatesNothing()
    {
        var h = new LatencyHistogram();
        h.Record(1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long v = 0; v < 1_000_000; v++)
            h.Record(v * 977);
        long after = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(0, after - before);
        Assert.Equal(1_000_001, h.Count);
    }

    private static void AssertNear(long expected, long actual) => Assert.InRange(actual, expected, expected + expected / 32 + 1);
}
