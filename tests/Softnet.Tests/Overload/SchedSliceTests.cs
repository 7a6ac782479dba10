using Softnet.Cli.Options;
using Softnet.Core;

namespace Softnet.Tests.Overload;

/// <summary><see cref="NetStackOptions.SchedSlice"/>: the EEVDF slice the SCHED_OTHER packet threads ask for.</summary>
public sealed class SchedSliceTests
{
    [Theory]
    [InlineData(99)]
    [InlineData(100_001)]
    public void SchedSlice_OutOfRange_IsRefusedNamingTheOption(int microseconds)
    {
        var options = new NetStackOptions { SchedSlice = TimeSpan.FromMicroseconds(microseconds) };

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(nameof(NetStackOptions.SchedSlice), e.ParamName);
        Assert.Contains("SchedSlice must be between 100 µs and 100 ms", e.Message);
    }

    [Theory]
    [InlineData("99")]
    [InlineData("100001")]
    public void SchedSliceFlag_OutOfRange_IsAUsageError(string value)
    {
        var e = Assert.Throws<UsageException>(() => RunOptions.Parse(["--sched-slice-us", value]));

        Assert.Contains($"--sched-slice-us must be an integer between 100 and 100000 (got '{value}')", e.Message);
    }

    [Fact]
    public void SchedSliceFlag_ReachesTheStackOptions()
    {
        Assert.Equal(TimeSpan.FromMicroseconds(250), RunOptions.Parse(["--sched-slice-us", "250"]).ToStackOptions(static _ => { }).SchedSlice);
        Assert.Null(RunOptions.Parse([]).ToStackOptions(static _ => { }).SchedSlice);
    }

    /// <summary>The kernel's own view of ksoftirqd/N and backlog_napi/N: SCHED_OTHER (policy 0) with the slice asked for (<c>se.slice</c>, ns).</summary>
    [EevdfSliceFact]
    public void PacketThreads_HaveTheSlice_InProcSched()
    {
        using var stack = new NetStack(
            new NetStackOptions { Cpus = 2, Mode = KickMode.BacklogThreads, SchedSlice = TimeSpan.FromMicroseconds(300), Log = static _ => { } },
            static (_, _) => { });

        for (int cpu = 0; cpu < 2; cpu++)
        {
            foreach (int tid in (int[])[stack.Cpu(cpu).Ksoftirqd.Handle!.OsThreadId, stack.Cpu(cpu).BacklogThread!.Handle.OsThreadId])
            {
                var sched = ProcSched(tid);
                Assert.Equal("0", sched["policy"]);
                Assert.Equal("300000", sched["se.slice"]);
            }
        }
        Assert.NotEqual("300000", ProcSched(Interop.Libc.GetTid())["se.slice"]);
    }

    private static Dictionary<string, string> ProcSched(int tid)
    {
        var fields = new Dictionary<string, string>();
        foreach (var line in File.ReadLines($"/proc/self/task/{tid}/sched"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return fields;
    }
}
