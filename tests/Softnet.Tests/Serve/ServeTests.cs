using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Softnet.Tests.Serve;

/// <summary><c>softnet serve</c> end to end: a real process, real sockets, the real sockperf client where installed.</summary>
[Collection(nameof(ServeCollection))]
public sealed class ServeTests
{
    [Fact]
    public void Echo_AnswersEveryDatagram_AndReportsOnSigterm()
    {
        using var serve = new ServeProcess("--reply", "echo", "--json");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 5000;
        var server = new IPEndPoint(IPAddress.Loopback, serve.Port);
        var buffer = new byte[64];
        const int Count = 200;
        for (int i = 0; i < Count; i++)
        {
            BitConverter.TryWriteBytes(buffer, i);
            client.SendTo(buffer, server);
            int n = client.Receive(buffer);
            Assert.Equal(64, n);
            Assert.Equal(i, BitConverter.ToInt32(buffer));
        }

        Assert.Equal(0, serve.Terminate());
        using var report = JsonDocument.Parse(serve.Stdout);
        Assert.Equal(Count, report.RootElement.GetProperty("received").GetInt64());
        Assert.Equal(Count, report.RootElement.GetProperty("replied").GetInt64());
        Assert.All(report.RootElement.GetProperty("dropped").EnumerateObject(), d => Assert.Equal(0, d.Value.GetInt64()));
        Assert.True(report.RootElement.GetProperty("verdict").GetProperty("accounting_exact").GetBoolean());
        Assert.Equal("none", report.RootElement.GetProperty("verdict").GetProperty("drops").GetString());
    }

    /// <summary>With port 0 the report names the port the kernel picked (the one the ready line gave), not the 0 asked for.</summary>
    [Fact]
    public void PortZero_TheReportNamesTheBoundPort()
    {
        using var serve = new ServeProcess("--bind", "127.0.0.1:0", "--json");
        var ready = System.Text.RegularExpressions.Regex.Match(serve.Stderr, @"udp0 on (127\.0\.0\.1:(\d+)),");
        Assert.True(ready.Success, serve.Stderr);

        Assert.Equal(0, serve.Terminate());
        using var report = JsonDocument.Parse(serve.Stdout);
        Assert.NotEqual("0", ready.Groups[2].Value);
        Assert.Equal(ready.Groups[1].Value, report.RootElement.GetProperty("bind").GetString());
    }

    /// <summary>--busy-poll-usecs: an application thread polls the device; with prefer_busy_poll it takes in the datagrams and its replies go out.</summary>
    [Fact]
    public void BusyPollMode_AnswersEveryDatagram_FromThePollingThread()
    {
        using var serve = new ServeProcess("--reply", "echo", "--json", "--queues", "1", "--busy-poll-usecs", "50", "--prefer-busy-poll",
            "--defer-hard-irqs", "2", "--gro-flush-timeout", "200000");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 5000;
        var server = new IPEndPoint(IPAddress.Loopback, serve.Port);
        var buffer = new byte[64];
        const int Count = 200;
        for (int i = 0; i < Count; i++)
        {
            BitConverter.TryWriteBytes(buffer, i);
            client.SendTo(buffer, server);
            Assert.Equal(64, client.Receive(buffer));
            Assert.Equal(i, BitConverter.ToInt32(buffer));
        }

        Assert.Equal(0, serve.Terminate());
        using var report = JsonDocument.Parse(serve.Stdout);
        Assert.Equal(Count, report.RootElement.GetProperty("replied").GetInt64());
        var line = serve.Stderr.Split('\n').Single(l => l.Contains("busy poll: ", StringComparison.Ordinal));
        long packets = long.Parse(line.Split(" calls, ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(packets, 1, Count);
    }

    [Fact]
    public void PortInUse_ExitsWithAClearError()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        var (exit, output) = ServeProcess.RunTool("dotnet", TimeSpan.FromSeconds(60),
            Path.Combine(AppContext.BaseDirectory, "Softnet.Cli.dll"), "serve", "--bind", $"127.0.0.1:{port}", "--no-admin");

        Assert.Equal(1, exit);
        Assert.Contains("EADDRINUSE", output);
        Assert.Contains($"127.0.0.1:{port}", output);
    }

    /// <summary>A second serve on a port the first one holds would join its reuseport group: it is refused, naming the first.</summary>
    [Fact]
    public void SecondServeOnTheSamePort_IsRefusedNamingTheFirst()
    {
        using var first = new ServeProcess();

        var (exit, output) = ServeProcess.RunTool("dotnet", TimeSpan.FromSeconds(60),
            Path.Combine(AppContext.BaseDirectory, "Softnet.Cli.dll"), "serve", "--bind", $"127.0.0.1:{first.Port}", "--no-admin");

        Assert.Equal(1, exit);
        Assert.Contains($"bind 127.0.0.1:{first.Port}: EADDRINUSE", output);
        Assert.Contains($"pid {first.Pid} (", output);
        Assert.Contains("--reuseport-share", output);
        Assert.Equal(0, first.Terminate());
    }

    [SockperfFact]
    public void SockperfPingPong_ReportsLatency_AndDropsNothing()
    {
        using var serve = new ServeProcess("--reply", "sockperf");

        var (exit, output) = ServeProcess.RunTool("sockperf", TimeSpan.FromSeconds(60),
            "ping-pong", "-i", "127.0.0.1", "-p", serve.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "2", "-m", "64");

        Assert.True(exit == 0, output);
        Assert.Contains("Summary: Latency is", output);
        Assert.Contains("# dropped messages = 0;", output);
        Assert.Equal(0, serve.Terminate());
    }

    [SockperfFact]
    public void SockperfUnderLoadAndThroughput_RunWithoutErrors()
    {
        using var serve = new ServeProcess("--reply", "sockperf");
        string port = serve.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var underLoad = ServeProcess.RunTool("sockperf", TimeSpan.FromSeconds(60), "under-load", "-i", "127.0.0.1", "-p", port, "-t", "1", "--mps", "10000");
        var throughput = ServeProcess.RunTool("sockperf", TimeSpan.FromSeconds(60), "throughput", "-i", "127.0.0.1", "-p", port, "-t", "1");

        Assert.True(underLoad.Exit == 0, underLoad.Output);
        Assert.Contains("Summary: Latency", underLoad.Output);
        Assert.True(throughput.Exit == 0, throughput.Output);
        Assert.Contains("Summary: Message Rate", throughput.Output);
        Assert.Equal(0, serve.Terminate());
    }
}

[CollectionDefinition(nameof(ServeCollection), DisableParallelization = true)]
public sealed class ServeCollection;
