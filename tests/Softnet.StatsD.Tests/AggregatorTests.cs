using System.Text;

namespace Softnet.StatsD.Tests;

/// <summary>Aggregation over a flush interval, as Etsy's statsd defines it, and the line accounting.</summary>
public sealed class AggregatorTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static void Send(Aggregator aggregator, string datagram) => aggregator.Record(Encoding.UTF8.GetBytes(datagram));

    [Fact]
    public void Counters_SumScaledBySampleRate_AndResetEachInterval()
    {
        var aggregator = new Aggregator();
        Send(aggregator, "hits:1|c\nhits:2|c|@0.5\nhits:1|c|@0.25");

        var first = aggregator.Flush(At);
        var second = aggregator.Flush(At);

        Assert.Equal(1 + 4 + 4, Assert.Single(first.Counters).Value);
        Assert.Equal(0, Assert.Single(second.Counters).Value);
    }

    [Fact]
    public void Timers_SummariseTheInterval_WithRateScaledCount()
    {
        var aggregator = new Aggregator();
        for (int ms = 1; ms <= 10; ms++)
            Send(aggregator, $"rt:{ms}|ms");
        Send(aggregator, "rt:100|ms|@0.5");

        var timer = Assert.Single(aggregator.Flush(At).Timers);

        Assert.Equal(12, timer.Count);
        Assert.Equal(11, timer.Samples);
        Assert.Equal(155, timer.Sum);
        Assert.Equal(155 / 11.0, timer.Mean);
        Assert.Equal(1, timer.Lower);
        Assert.Equal(100, timer.Upper);
        Assert.Equal(10, timer.P90);
        Assert.Empty(aggregator.Flush(At).Timers);
    }

    [Fact]
    public void Gauges_SetThenMoveByDeltas_AndKeepTheirValueAcrossIntervals()
    {
        var aggregator = new Aggregator();
        Send(aggregator, "pool:10|g\npool:+5|g\npool:-3|g");
        Send(aggregator, "fresh:-4|g");

        var first = aggregator.Flush(At).Gauges.ToDictionary();
        var second = aggregator.Flush(At).Gauges.ToDictionary();

        Assert.Equal(12, first["pool"]);
        Assert.Equal(-4, first["fresh"]);
        Assert.Equal(12, second["pool"]);
    }

    [Fact]
    public void Sets_CountDistinctMembersPerInterval()
    {
        var aggregator = new Aggregator();
        Send(aggregator, "users:a|s\nusers:b|s\nusers:a|s\nusers:é|s");

        var first = Assert.Single(aggregator.Flush(At).Sets);
        Send(aggregator, "users:a|s");
        var second = Assert.Single(aggregator.Flush(At).Sets);

        Assert.Equal(3, first.Value);
        Assert.Equal(1, second.Value);
    }

    [Fact]
    public void Datagram_WithCrLfEmptyAndMalformedLines_AccountsForEveryLine()
    {
        var aggregator = new Aggregator();
        Send(aggregator, "a:1|c\r\n\nb:x|c\nc:1|zz\nd:1|c\n");

        var stats = aggregator.Stats();

        Assert.Equal(1, stats.Datagrams);
        Assert.Equal(2, stats.Lines);
        Assert.Equal(1, stats.Drops(LineDrop.BadValue));
        Assert.Equal(1, stats.Drops(LineDrop.BadType));
        Assert.Equal(2, stats.Dropped);
    }

    [Fact]
    public void InvalidUtf8Name_IsDroppedAsBadName()
    {
        var aggregator = new Aggregator();
        aggregator.Record([0xC3, 0x28, (byte)':', (byte)'1', (byte)'|', (byte)'c']);

        Assert.Equal(1, aggregator.Stats().Drops(LineDrop.BadName));
        Assert.Empty(aggregator.Flush(At).Counters);
    }

    /// <summary>
    /// The receive path allocates nothing per datagram once its names and set members are known: parsing reads the
    /// packet's bytes and lookups use stack-allocated characters. Measured as the bytes this thread allocates while
    /// recording as many datagrams as the warm-up interval did (so timer arrays have already reached their size).
    /// </summary>
    [Fact]
    public void Record_KnownNames_AllocatesNothingPerDatagram()
    {
        var aggregator = new Aggregator();
        byte[] datagram = Encoding.UTF8.GetBytes("api.hits:1|c|@0.5\napi.latency:12.5|ms\npool.size:+1|g\nusers:alice|s\nbad line\n");
        const int Datagrams = 20_000;
        for (int round = 0; round < 3; round++)
        {
            RecordMany(aggregator, datagram, Datagrams);
            aggregator.Flush(At);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordMany(aggregator, datagram, Datagrams);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(4L * 4 * Datagrams, aggregator.Stats().Lines);
    }

    private static void RecordMany(Aggregator aggregator, byte[] datagram, int count)
    {
        for (int i = 0; i < count; i++)
            aggregator.Record(datagram);
    }
}
