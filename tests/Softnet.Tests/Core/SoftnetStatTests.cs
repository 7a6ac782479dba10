using System.Text.RegularExpressions;
using Softnet.Core;
using Softnet.Devices;
using Softnet.Diagnostics;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>The <c>/proc/net/softnet_stat</c> text (softnet_seq_show).</summary>
public sealed partial class SoftnetStatTests
{
    private static CpuStat Row(int cpu, bool online = true) => new(
        Cpu: cpu,
        Online: online,
        Processed: 0x1_2345_6789 + cpu,
        Dropped: 0xab + cpu,
        TimeSqueeze: 0xcd,
        ReceivedRps: 0x10 + cpu,
        FlowLimitCount: 0x20,
        InputQueueLength: 3,
        ProcessQueueLength: 4 + cpu,
        Delivered: 999,
        IpiSent: 5,
        Wakeups: 6);

    private static SoftnetSnapshot Snapshot(params CpuStat[] rows) =>
        new(rows, DropReasons.All.ToDictionary(r => r, _ => 0L), 0);

    [Fact]
    public void Format_IsFifteenLowercaseHexColumns_InKernelOrder()
    {
        string text = SoftnetStat.Format(Snapshot(Row(0), Row(1)));

        Assert.Equal(
            "23456789 000000ab 000000cd 00000000 00000000 00000000 00000000 00000000 00000000 00000010 00000020 00000007 00000000 00000003 00000004\n"
            + "2345678a 000000ac 000000cd 00000000 00000000 00000000 00000000 00000000 00000000 00000011 00000020 00000008 00000001 00000003 00000005\n",
            text);
    }

    [Fact]
    public void Format_WrapsCountersAt32Bits_AndSkipsOfflineCpus()
    {
        var wrapped = Row(2) with { Processed = 0xFFFF_FFFFL + 2, Dropped = (1L << 32) * 7, FlowLimitCount = 0xDEAD_BEEF };
        string text = SoftnetStat.Format(Snapshot(Row(0), Row(1, online: false), wrapped));

        var lines = text.Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        Assert.StartsWith("00000001 00000000 000000cd ", lines[1]);
        Assert.Equal("deadbeef", lines[1].Split(' ')[10]);
        // Column 13 is the CPU id: the offline CPU 1 has no row, CPU 2 keeps its number.
        Assert.Equal("00000000", lines[0].Split(' ')[12]);
        Assert.Equal("00000002", lines[1].Split(' ')[12]);
    }

    [Fact]
    public void Parse_RoundTripsFormat()
    {
        var rows = new[] { Row(0), Row(1), Row(2) with { Processed = uint.MaxValue, TimeSqueeze = 0x8000_0000 } };
        string text = SoftnetStat.Format(Snapshot(rows));

        var parsed = SoftnetStat.Parse(text);

        Assert.Equal(3, parsed.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            uint[] expected =
            [
                (uint)r.Processed, (uint)r.Dropped, (uint)r.TimeSqueeze, 0, 0, 0, 0, 0, 0,
                (uint)r.ReceivedRps, (uint)r.FlowLimitCount, (uint)r.BacklogLength, (uint)r.Cpu,
                (uint)r.InputQueueLength, (uint)r.ProcessQueueLength,
            ];
            Assert.Equal(expected, parsed[i]);
        }
        Assert.Equal(text, string.Concat(parsed.Select(p => string.Join(' ', p.Select(v => v.ToString("x8"))) + "\n")));
    }

    [Fact]
    public void Parse_ReadsTheKernelsFile_WhenPresent()
    {
        const string path = "/proc/net/softnet_stat";
        if (!File.Exists(path))
            return;
        var rows = SoftnetStat.Parse(File.ReadAllText(path));
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.InRange(r.Length, 11, 15));
    }

    [Fact]
    public void LiveStack_PrintsOneWellFormedRowPerCpu_WithItsCounters()
    {
        var stack = new NetStack(Stacks.Options(3) with { RpsCpus = "4" }, Stacks.Ignore);
        try
        {
            var lo = new LoopbackDevice(stack);
            using var cpu = TestPlatform.As(0);
            var w = new OneFlowWriter(1, 0x9999_9999, 0);
            lo.Send(100, ref w);
            Eventually.True(() => stack.Snapshot().Delivered == 100, "100 deliveries");

            string text = stack.SoftnetStat();
            Assert.Matches(WellFormed(), text);
            var rows = SoftnetStat.Parse(text);
            Assert.Equal(3, rows.Count);
            for (int i = 0; i < 3; i++)
                Assert.Equal((uint)i, rows[i][12]);
            // Everything went to CPU 2 (rps_cpus 0x4).
            Assert.Equal(100u, rows[2][0]);
            Assert.Equal(0u, rows[0][0]);
            Assert.Equal(0u, rows[1][0]);
            // One kick woke CPU 2 with an IPI at least once.
            Assert.True(rows[2][9] >= 1);
        }
        finally
        {
            stack.Dispose();
        }
    }

    [GeneratedRegex(@"\A(([0-9a-f]{8} ){14}[0-9a-f]{8}\n)+\z")]
    private static partial Regex WellFormed();
}
