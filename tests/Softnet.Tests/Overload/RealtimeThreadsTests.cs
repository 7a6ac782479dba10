using System.Globalization;
using System.Text.Json;
using Softnet.Admin;
using Softnet.Cli.Options;
using Softnet.Core;
using Softnet.Scheduling;
using Softnet.Tests.Cli;
using Softnet.Tests.Serve;

namespace Softnet.Tests.Overload;

/// <summary>RtPriority: SCHED_FIFO packet threads where permitted, a clear refusal (or a fallback) where not.</summary>
[Collection(nameof(ServeCollection))]
public sealed class RealtimeThreadsTests
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(90);

    private static string Cli => Path.Combine(AppContext.BaseDirectory, "Softnet.Cli.dll");

    [Theory]
    [InlineData(-1)]
    [InlineData(100)]
    public void RtPriority_OutOfRange_IsRefusedNamingTheOption(int priority)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NetStackOptions { RtPriority = priority }.Validate());
        Assert.Contains("RtPriority must be between 0 and 99", e.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100")]
    public void RtPriorityFlag_OutOfRange_IsAUsageError(string value)
    {
        var e = Assert.Throws<UsageException>(() => RunOptions.Parse(["--rt-priority", value]));
        Assert.Contains("--rt-priority must be an integer between 1 and 99", e.Message);
    }

    [Fact]
    public void RtFlags_ReachTheStackOptions()
    {
        var o = RunOptions.Parse(["--rt-priority", "7", "--rt-priority-fallback"]).ToStackOptions(static _ => { });
        Assert.Equal(7, o.RtPriority);
        Assert.True(o.RtPriorityFallback);
        Assert.Equal(0, new NetStackOptions().RtPriority);
    }

    /// <summary>
    /// ksoftirqd/N, backlog_napi/N and the NAPI threads all run SCHED_FIFO at the priority asked for: the kernel's own
    /// view (/proc/self/task/TID/sched: policy 1, prio 99 - N) and the admin API's napi-get and dev-get agree. No
    /// traffic: the threads sleep throughout.
    /// </summary>
    [RealtimeFact]
    public async Task PacketThreads_RunFifo_VisibleInProcAndAdmin()
    {
        const int Priority = 12;
        string directory = Path.Combine(Path.GetTempPath(), $"softnet-rt-{Guid.NewGuid():N}");
        using var stack = new NetStack(
            new NetStackOptions { Cpus = 2, Mode = KickMode.BacklogThreads, RtPriority = Priority, Log = static _ => { } },
            static (_, _) => { });
        using var device = Devices.Udp.UdpDevice.Open(stack, new Devices.Udp.UdpDeviceOptions { Queues = 2 });
        device.Start();
        device.SetThreaded(ThreadedMode.Enabled);
        await using var admin = await AdminServer.StartAsync(stack, new AdminOptions { UnixSocketPath = Path.Combine(directory, "admin.sock") });

        var tids = new List<int>();
        for (int i = 0; i < stack.CpuCount; i++)
        {
            tids.Add(stack.Cpu(i).Ksoftirqd.Handle!.OsThreadId);
            tids.Add(stack.Cpu(i).BacklogThread!.Handle.OsThreadId);
            Assert.Equal(ThreadPolicy.Fifo(Priority), stack.Cpus[i].SoftirqPolicy);
        }
        tids.AddRange(device.Napis.Select(n => n.ThreadId!.Value));
        Assert.Equal(6, tids.Distinct().Count());
        foreach (int tid in tids)
        {
            var sched = ProcSched(tid);
            Assert.Equal("1", sched["policy"]);
            Assert.Equal((99 - Priority).ToString(CultureInfo.InvariantCulture), sched["prio"]);
        }
        Assert.Equal(ThreadPolicy.Fifo(Priority), stack.PacketThreadPolicy);

        var (exit, stdout, stderr) = CliRunner.Run("napi", "list", "--json", "--admin", admin.SocketPath);
        Assert.True(exit == 0, stderr);
        using var napis = JsonDocument.Parse(stdout);
        Assert.Equal(2, napis.RootElement.GetArrayLength());
        foreach (var napi in napis.RootElement.EnumerateArray())
        {
            Assert.Equal("fifo", napi.GetProperty("sched-policy").GetString());
            Assert.Equal(Priority, napi.GetProperty("sched-priority").GetInt32());
        }
        (exit, stdout, stderr) = CliRunner.Run("dev", "list", "--admin", admin.SocketPath);
        Assert.True(exit == 0, stderr);
        Assert.Contains($"fifo {Priority}", stdout);
    }

    /// <summary>Without CAP_SYS_NICE (and RLIMIT_RTPRIO 0), run and serve refuse with the documented message and exit code 2.</summary>
    [SetprivFact]
    public void WithoutCapSysNice_RunAndServeRefuse_WithExitCode2()
    {
        foreach (var command in new[] { new[] { "run", "--seconds", "1" }, ["serve", "--bind", "127.0.0.1:0", "--no-admin"] })
        {
            var (exit, output) = WithoutSysNice([.. command, "--rt-priority", "10"]);

            Assert.True(exit == 2, output);
            Assert.Contains($"softnet {command[0]}: --rt-priority 10: sched_setscheduler SCHED_FIFO refused with EPERM", output);
            Assert.Contains("CAP_SYS_NICE", output);
            Assert.Contains("RLIMIT_RTPRIO >= 10", output);
            Assert.Contains("--rt-priority-fallback", output);
        }
    }

    /// <summary>With --rt-priority-fallback the same refusal runs SCHED_OTHER, says so once, and the run adds up.</summary>
    [SetprivFact]
    public void WithoutCapSysNice_Fallback_RunsSchedOther_AndSaysSoOnce()
    {
        var (exit, output) = WithoutSysNice("run", "--seconds", "1", "--rate", "2000", "--rt-priority", "10", "--rt-priority-fallback", "--json");

        Assert.True(exit == 0, output);
        int said = output.Split('\n').Count(l => l.Contains("SCHED_FIFO refused", StringComparison.Ordinal));
        Assert.True(said == 1, output);
        Assert.Contains("run SCHED_OTHER", output);
    }

    private static (int Exit, string Output) WithoutSysNice(params string[] args) =>
        ServeProcess.RunTool("setpriv", ChildTimeout, ["--inh-caps=-sys_nice", "--bounding-set=-sys_nice", "dotnet", Cli, .. args]);

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
