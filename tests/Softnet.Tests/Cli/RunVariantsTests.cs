using System.Text.Json;
using Softnet.Cli.Commands;

namespace Softnet.Tests.Cli;

/// <summary><c>softnet run</c>'s variants: a prefill drain reports only what applies to it; <c>--handler count</c> only counts.</summary>
public sealed class RunVariantsTests
{
    [Fact]
    public void PrefillReportsTheDrain_WithoutSecondsOfferedRateOrLatency()
    {
        var (exit, stdout, stderr) = CliRunner.Run("run", "--prefill", "20000", "--cpus", "2", "--queues", "2", "--json");

        Assert.True(exit == ExitCodes.Ok, $"exit {exit}: {stderr}");
        Assert.Contains("warm-up", stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.False(root.TryGetProperty("seconds", out _));
        Assert.False(root.TryGetProperty("rate", out _));
        Assert.False(root.TryGetProperty("latency_us", out _));
        Assert.Equal(20000, root.GetProperty("prefill").GetInt64());
        Assert.Equal(20000, root.GetProperty("sent").GetInt64());
        Assert.Equal(20000, root.GetProperty("delivered").GetInt64());
        Assert.True(root.GetProperty("drain_seconds").GetDouble() > 0);
        Assert.True(root.GetProperty("verdict").GetProperty("accounting_exact").GetBoolean());
        Assert.Equal("none", root.GetProperty("verdict").GetProperty("drops").GetString());
        Assert.Equal(2, root.GetProperty("queues").GetArrayLength());
    }

    [Fact]
    public void CountHandler_HasNoLatencyOrOrderCheck_AndReportsCpuTimePerPacket()
    {
        var (exit, stdout, stderr) = CliRunner.Run(
            "run", "--device", "loopback", "--seconds", "1", "--cpus", "2", "--producers", "2", "--rate", "100000", "--handler", "count", "--json");

        Assert.True(exit == ExitCodes.Ok, $"exit {exit}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("count", root.GetProperty("handler").GetString());
        Assert.False(root.TryGetProperty("latency_us", out _));
        Assert.False(root.TryGetProperty("out_of_order", out _));
        Assert.True(root.GetProperty("delivered").GetInt64() > 0);
        Assert.True(root.GetProperty("cpu_ns_per_packet").GetDouble() > 0);
        Assert.False(root.GetProperty("verdict").TryGetProperty("latency", out _));
    }

    [Fact]
    public void TheVerdictSaysWhyFlatOutLoopbackDrops()
    {
        var (exit, stdout, stderr) = CliRunner.Run("run", "--device", "loopback", "--seconds", "1", "--cpus", "1", "--producers", "2", "--flows", "64", "--netdev-max-backlog", "16");

        Assert.True(exit == ExitCodes.Ok, $"exit {exit}: {stderr}");
        Assert.Contains("verdict: accounting exact", stdout);
        var drops = stdout.Split('\n').Single(l => l.TrimStart().StartsWith("drops:", StringComparison.Ordinal));
        // Flat out with a 16-packet backlog, drops are as good as certain; if none happened the line says so.
        Assert.True(drops.Contains("by design", StringComparison.Ordinal) || drops.Contains("none", StringComparison.Ordinal), drops);
    }

    [Fact]
    public void VersionPrintsThePackageVersion()
    {
        var (exit, stdout, _) = CliRunner.Run("--version");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("softnet " + typeof(Dispatcher).Assembly.GetName().Version!.ToString(3), stdout);
    }
}
