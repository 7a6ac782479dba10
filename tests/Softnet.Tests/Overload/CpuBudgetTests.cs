using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Softnet.Core;
using Softnet.Overload;
using Softnet.Tests.Cli;
using Softnet.Tests.Serve;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Overload;

/// <summary>
/// The CPU budget (<c>--overload auto</c>): past its share of a period a CPU's packet threads stop polling and leave the
/// queue masked; the kernel drops at the socket and those drops are counted as <c>socket</c>; nothing read is discarded.
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class CpuBudgetTests
{
    /// <summary>
    /// Three floods of 3 000 datagrams in 100 ms, 150 ms apart, against a handler that costs 50 µs per datagram and a
    /// budget of 20% of each 10 ms period. With <c>auto</c> the queue's CPU is throttled (periods cut short are
    /// counted), the detector enters overloaded and leaves it (each transition logged once), and every datagram the kernel could not queue is a
    /// socket drop: sent = delivered + socket drops, and no other drop reason — what was read was delivered. With
    /// <c>off</c> the same load throttles nothing.
    /// </summary>
    [Theory]
    [InlineData(OverloadMode.Auto, KickMode.Softirq, false)]
    [InlineData(OverloadMode.Auto, KickMode.BacklogThreads, true)]
    [InlineData(OverloadMode.Off, KickMode.Softirq, false)]
    public void BurstsPastTheBudget_AreSocketDrops_AndAccountingHolds(OverloadMode mode, KickMode kick, bool threaded)
    {
        var log = new ConcurrentQueue<string>();
        long handled = 0, sent = 0;
        var stack = new NetStack(
            new NetStackOptions { Cpus = 2, Mode = kick, Overload = mode, OverloadCpuShare = 20, OverloadBudgetSlice = TimeSpan.FromMilliseconds(1), Log = log.Enqueue },
            (batch, _) =>
            {
                Spin.For(TimeSpan.FromMicroseconds(50) * batch.Length);
                Interlocked.Add(ref handled, batch.Length);
            });
        SoftnetData cpu;
        Napi napi;
        try
        {
            var dev = Devices.Udp.UdpDevice.Open(stack, new Devices.Udp.UdpDeviceOptions { Queues = 1, ReceiveBufferBytes = 64 * 1024 });
            dev.Start();
            if (threaded)
                dev.SetThreaded(ThreadedMode.Enabled);
            napi = dev.Napis.Single();
            cpu = stack.Cpu(0);
            using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var payload = new byte[64];
                var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
                for (int burst = 0; burst < 3; burst++)
                {
                    for (int ms = 0; ms < 100; ms++)
                    {
                        for (int i = 0; i < 30; i++)
                        {
                            sender.SendTo(payload, destination);
                            sent++;
                        }
                        Thread.Sleep(1);
                    }
                    // Pause between floods: the detector may leave overload, the budget stops biting.
                    Wait.Until(() => Volatile.Read(ref handled) + dev.ReadSocketDrops() >= sent, () => $"burst {burst} to be delivered or dropped: {handled} + {dev.ReadSocketDrops()} of {sent}");
                    Thread.Sleep(150);
                }
            }
            if (mode == OverloadMode.Auto)
            {
                Wait.Until(
                    () => napi.Overload is { State: OverloadState.Normal, Transitions: >= 2 },
                    () => $"the queue to go through overload and back: {napi.Overload}; {string.Join(" | ", log)}");
            }
        }
        finally
        {
            stack.Dispose();
        }

        var s = stack.Snapshot();
        Accounting.AssertAllAccounted(sent, handled, s);
        Assert.True(s.Drops[DropReason.Socket] > 0, "the floods should have overflowed the socket");
        Assert.Equal(s.Drops[DropReason.Socket], s.Dropped);
        var throttled = stack.Cpus[0].Overload.Throttled + stack.Cpus[1].Overload.Throttled;
        var queueLines = log.Where(l => l.StartsWith($"overload: udp0 napi {napi.Id}: ", StringComparison.Ordinal)).ToArray();
        if (mode == OverloadMode.Auto)
        {
            Assert.True(throttled > 0, $"no slice was cut short: {cpu.Overload}");
            Assert.True(napi.Overload.OverloadedNs > 0, $"{napi.Overload}");
            // The policy acts on the states, so each transition is logged once, the last one back to normal.
            Assert.Equal(napi.Overload.Transitions, queueLines.Length);
            Assert.Contains(queueLines, l => l.EndsWith("-> overloaded", StringComparison.Ordinal));
            Assert.EndsWith("-> normal", queueLines[^1]);
            Assert.Equal(cpu.Overload.Transitions, log.Count(l => l.StartsWith($"overload: cpu {cpu.Cpu}: ", StringComparison.Ordinal)));
        }
        else
        {
            Assert.Equal(0, throttled);
            Assert.Empty(queueLines);
        }
    }

    /// <summary>
    /// <c>softnet run --overload auto --work-us</c> at twice what the budget lets the handler do: the run adds up
    /// (exit 0), the budget bit, and the JSON report has the overload part per CPU and per queue.
    /// </summary>
    [Fact]
    public void RunJson_ReportsOverloadPerCpuAndQueue_AndAddsUp()
    {
        var (report, stdout) = RunAddsUp(
            "--seconds", "1", "--cpus", "2", "--queues", "2", "--rate", "20000", "--work-us", "100",
            "--overload", "auto", "--overload-cpu-share", "50", "--overload-slice-us", "1000");
        var o = report.GetProperty("overload");
        Assert.Equal("auto", o.GetProperty("mode").GetString());
        Assert.Equal(0.5, o.GetProperty("cpu_share_limit").GetDouble());
        Assert.Equal(2, o.GetProperty("cpus").GetArrayLength());
        Assert.Equal(2, o.GetProperty("queues").GetArrayLength());
        Assert.True(o.GetProperty("cpus").EnumerateArray().Sum(c => c.GetProperty("throttled").GetInt64()) > 0, stdout);
        Assert.Contains(o.GetProperty("queues").EnumerateArray(), q => q.GetProperty("transitions").GetInt64() > 0 && q.GetProperty("time_overloaded_ms").GetDouble() > 0);
        foreach (var q in o.GetProperty("queues").EnumerateArray())
        {
            foreach (string field in (string[])["queue", "napi_id", "state", "transitions", "time_overloaded_ms", "cpu_share_used"])
                Assert.True(q.TryGetProperty(field, out _), $"queue row without {field}: {q}");
        }
    }

    /// <summary>
    /// The loopback device through the budget: its producers process their own CPU's backlog inline until the CPU is
    /// throttled, then leave it to the softirq thread for the period's end. The run adds up (exit 0; backlog drops
    /// are counted) and periods were cut short.
    /// </summary>
    [Fact]
    public void LoopbackRun_UnderTheBudget_AddsUp()
    {
        var (report, stdout) = RunAddsUp(
            "--device", "loopback", "--seconds", "1", "--cpus", "2", "--rate", "50000", "--work-us", "20",
            "--overload", "auto", "--overload-cpu-share", "30", "--overload-slice-us", "1000");
        Assert.True(report.GetProperty("overload").GetProperty("cpus").EnumerateArray().Sum(c => c.GetProperty("throttled").GetInt64()) > 0, stdout);
    }

    /// <summary><c>softnet serve --overload auto --work-us</c> starts, answers, and reports the overload part on SIGTERM.</summary>
    [Fact]
    public void ServeJson_HasTheOverloadPart()
    {
        using var serve = new ServeProcess("--reply", "echo", "--overload", "auto", "--overload-cpu-share", "80", "--work-us", "10", "--json");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 5000;
        var buffer = new byte[32];
        for (int i = 0; i < 20; i++)
        {
            client.SendTo(buffer, new IPEndPoint(IPAddress.Loopback, serve.Port));
            Assert.Equal(32, client.Receive(buffer));
        }

        Assert.Equal(0, serve.Terminate());
        using var report = JsonDocument.Parse(serve.Stdout);
        var o = report.RootElement.GetProperty("overload");
        Assert.Equal("auto", o.GetProperty("mode").GetString());
        Assert.Equal(0.8, o.GetProperty("cpu_share_limit").GetDouble());
        Assert.Equal(20, report.RootElement.GetProperty("received").GetInt64());
        Assert.Equal(2, o.GetProperty("cpus").GetArrayLength());
        foreach (var row in o.GetProperty("cpus").EnumerateArray().Concat(o.GetProperty("queues").EnumerateArray()))
        {
            foreach (string field in (string[])["state", "transitions", "time_overloaded_ms", "cpu_share_used"])
                Assert.True(row.TryGetProperty(field, out _), $"row without {field}: {row}");
        }
    }

    [Fact]
    public void OverloadFlags_AreParsed_AndBadValuesNameTheOption()
    {
        var o = Cli.RunOptionsFor("--overload", "auto", "--overload-cpu-share", "40", "--work-us", "7", "--overload-demote");
        Assert.True(o.OverloadDemote);
        Assert.False(new NetStackOptions().OverloadDemote);
        Assert.Equal(OverloadMode.Auto, o.Overload);
        Assert.Equal(40, o.OverloadCpuShare);
        Assert.Equal(OverloadMode.Off, new NetStackOptions().Overload);
        Assert.Equal(90, new NetStackOptions().OverloadCpuShare);

        Assert.Contains("--overload must be one of off, auto (got 'on')", Cli.UsageError("--overload", "on"));
        Assert.Contains("--overload-cpu-share must be an integer between 1 and 100 (got '0')", Cli.UsageError("--overload-cpu-share", "0"));
        Assert.Contains("--work-us must be an integer between 0 and 100000 (got '-1')", Cli.UsageError("--work-us", "-1"));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NetStackOptions { OverloadCpuShare = 101 }.Validate());
        Assert.Contains("OverloadCpuShare must be between 1 and 100", e.Message);
    }

    /// <summary>Runs <c>softnet run ARGS --json</c>, checks it exited 0 and its accounting adds up (sent = delivered + drops), and returns the report.</summary>
    private static (JsonElement Report, string Stdout) RunAddsUp(params string[] args)
    {
        var (exit, stdout, stderr) = CliRunner.Run(["run", .. args, "--json"]);
        Assert.True(exit == 0, stderr);
        using var report = JsonDocument.Parse(stdout);
        var r = report.RootElement.Clone();
        long dropped = r.GetProperty("dropped").EnumerateObject().Sum(d => d.Value.GetInt64());
        Assert.Equal(r.GetProperty("sent").GetInt64(), r.GetProperty("delivered").GetInt64() + dropped);
        return (r, stdout);
    }

    private static class Cli
    {
        public static NetStackOptions RunOptionsFor(params string[] args) =>
            Softnet.Cli.Options.RunOptions.Parse(args).ToStackOptions(static _ => { });

        public static string UsageError(params string[] args) =>
            Assert.Throws<Softnet.Cli.Options.UsageException>(() => Softnet.Cli.Options.RunOptions.Parse(args)).Message;
    }
}
