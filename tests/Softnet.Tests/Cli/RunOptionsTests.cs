using Softnet.Cli.Options;
using Softnet.Core;

namespace Softnet.Tests.Cli;

public sealed class RunOptionsTests
{
    [Fact]
    public void Defaults_ForLoopback()
    {
        var o = RunOptions.Parse(["--device", "loopback"]);
        var stack = new NetStackOptions();

        Assert.Equal(10, o.Seconds);
        Assert.Equal(KickMode.Softirq, o.Mode);
        Assert.Equal(DeviceKind.Loopback, o.Device);
        Assert.Equal(Environment.ProcessorCount, o.Cpus);
        Assert.Equal(o.Cpus, o.ProducerCount);
        Assert.Equal(1024, o.Flows);
        Assert.Equal(0, o.Rate);
        Assert.Equal(64, o.Size);
        Assert.False(o.Json);
        Assert.Equal("all", o.RpsCpus);
        Assert.Equal(stack.NetdevMaxBacklog, o.NetdevMaxBacklog);
        Assert.Equal(stack.NetdevBudget, o.NetdevBudget);
        Assert.Equal(stack.NetdevBudgetUsecs, o.NetdevBudgetUsecs);
        Assert.Equal(stack.DevWeight, o.DevWeight);
        Assert.Equal(stack.FlowLimit, o.FlowLimit);
        Assert.Equal(stack.SkbDeferMax, o.SkbDeferMax);
    }

    [Fact]
    public void EveryOption_IsParsed_InBothSpellings()
    {
        var o = RunOptions.Parse(
        [
            "--seconds", "3", "--mode=backlog-threads", "--device", "loopback", "--cpus", "2", "--producers=3",
            "--flows", "99", "--rate", "5000", "--size", "100", "--json", "--netdev-max-backlog", "10",
            "--netdev-budget", "20", "--netdev-budget-usecs", "30", "--dev-weight", "40", "--rps-cpus", "1",
            "--flow-limit=3", "--skb-defer-max", "0",
        ]);

        Assert.Equal(
            new RunOptions
            {
                Seconds = 3,
                Mode = KickMode.BacklogThreads,
                Device = DeviceKind.Loopback,
                Cpus = 2,
                Producers = 3,
                FlowsOption = 99,
                RateOption = 5000,
                Size = 100,
                Json = true,
                NetdevMaxBacklog = 10,
                NetdevBudget = 20,
                NetdevBudgetUsecs = 30,
                DevWeight = 40,
                RpsCpusOption = "1",
                FlowLimit = "3",
                SkbDeferMax = 0,
            },
            o);
    }

    /// <summary>A prefilled drain has no duration, pace, latency target or producer count: given, they are refused by name, not ignored.</summary>
    [Fact]
    public void Prefill_RefusesTheStreamingOptions_NamingThem()
    {
        Assert.Equal(20_000, RunOptions.Parse(["--prefill", "20000", "--queues", "2"]).Prefill);

        var e = Assert.Throws<UsageException>(() => RunOptions.Parse(["--prefill", "20000", "--seconds", "3", "--rate", "5000"]));
        Assert.StartsWith("--seconds, --rate do not apply to --prefill", e.Message);
        e = Assert.Throws<UsageException>(() => RunOptions.Parse(["--prefill", "20000", "--latency-target", "50"]));
        Assert.StartsWith("--latency-target does not apply to --prefill", e.Message);
        e = Assert.Throws<UsageException>(() => RunOptions.Parse(["--producers", "1", "--prefill", "20000"]));
        Assert.StartsWith("--producers does not apply to --prefill", e.Message);
    }

    /// <summary>The CLI states its ranges itself (to name its flags); they must stay within what the stack accepts.</summary>
    [Fact]
    public void LargestAcceptedKnobs_AreValidStackOptions()
    {
        var o = RunOptions.Parse(
        [
            "--device", "loopback", "--cpus", "1024", "--netdev-max-backlog", "16777216", "--netdev-budget", "1048576",
            "--netdev-budget-usecs", "1000000", "--dev-weight", "4096", "--skb-defer-max", "1048576", "--size", "2048",
        ]);

        o.ToStackOptions(_ => { }).Validate();
    }

    /// <summary>The ranges the CLI's knobs declare for stack settings are exactly the stack's: one past either end is refused by both.</summary>
    [Theory]
    [InlineData("--cpus", 1, 1024)]
    [InlineData("--netdev-max-backlog", 1, 1 << 24)]
    [InlineData("--netdev-budget", 1, 1 << 20)]
    [InlineData("--netdev-budget-usecs", 1, 1_000_000)]
    [InlineData("--dev-weight", 1, 4096)]
    [InlineData("--skb-defer-max", 0, 1 << 20)]
    [InlineData("--rt-priority", 1, 99)]
    [InlineData("--overload-cpu-share", 1, 100)]
    public void StackKnobRanges_AreTheStacksOwn(string option, int min, int max)
    {
        foreach (int value in new[] { min, max })
            RunOptions.Parse(["--device", "loopback", "--producers", "1", "--flows", "1", option, $"{value}"]).ToStackOptions(_ => { }).Validate();
        foreach (int value in new[] { min - 1, max + 1 })
        {
            var e = Assert.Throws<UsageException>(() => RunOptions.Parse(["--device", "loopback", option, $"{value}"]));
            Assert.Contains($"{option} must be an integer between {min} and {max}", e.Message);
        }
        var stack = new NetStackOptions();
        var beyond = option switch
        {
            "--cpus" => stack with { Cpus = max + 1 },
            "--netdev-max-backlog" => stack with { NetdevMaxBacklog = max + 1 },
            "--netdev-budget" => stack with { NetdevBudget = max + 1 },
            "--netdev-budget-usecs" => stack with { NetdevBudgetUsecs = max + 1 },
            "--dev-weight" => stack with { DevWeight = max + 1 },
            "--skb-defer-max" => stack with { SkbDeferMax = max + 1 },
            "--rt-priority" => stack with { RtPriority = max + 1 },
            _ => stack with { OverloadCpuShare = max + 1 },
        };
        Assert.Throws<ArgumentOutOfRangeException>(beyond.Validate);
    }
}
