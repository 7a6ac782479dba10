using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Softnet.Diagnostics;

namespace Softnet.Tests.Serve;

/// <summary><c>softnet serve --metrics-http</c>: a read-only listener of its own, whose text Prometheus's own linter accepts.</summary>
[Collection(nameof(ServeCollection))]
public sealed partial class MetricsListenerTests
{
    private const int Datagrams = 300;

    /// <summary>
    /// Without the admin endpoint, the metrics listener serves <c>/metrics</c> after traffic: every counter of the table
    /// is there, the latency histogram counted every datagram, anything else is refused, and promtool finds no problem.
    /// </summary>
    [PromtoolFact]
    public async Task ServeMetrics_PassPromtoolCheckMetrics()
    {
        using var serve = new ServeProcess("--reply", "echo", "--metrics-http", "127.0.0.1:0");
        var address = MetricsAddress().Match(serve.Stderr);
        Assert.True(address.Success, serve.Stderr);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{address.Groups[1].Value}/") };
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            client.ReceiveTimeout = 5000;
            var buffer = new byte[32];
            for (int i = 0; i < Datagrams; i++)
            {
                client.SendTo(buffer, new IPEndPoint(IPAddress.Loopback, serve.Port));
                Assert.Equal(32, client.Receive(buffer));
            }
        }

        string text = await http.GetStringAsync("metrics");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("stats")).StatusCode);
        Assert.Equal(0, serve.Terminate());

        foreach (var counter in SoftnetCounters.All)
            Assert.Contains($"# TYPE {counter.PrometheusName} ", text);
        Assert.Contains($"softnet_delivery_latency_seconds_count {Datagrams}\n", text);
        Assert.Contains("softnet_dev_tx_packets_total{ifname=\"udp0\"} " + Datagrams + "\n", text);
        var (exit, output) = Promtool(text);
        Assert.True(exit == 0 && output.Trim().Length == 0, $"promtool check metrics: exit {exit}\n{output}");
    }

    /// <summary>Runs <c>promtool check metrics</c> over <paramref name="text"/> (it reads standard input), bounded in time.</summary>
    private static (int Exit, string Output) Promtool(string text)
    {
        var start = new ProcessStartInfo(ServeProcess.FindOnPath("promtool")!, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(text);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill();
            throw new TimeoutException("promtool check metrics did not finish within 30 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"metrics http://([0-9.]+:[0-9]+)/metrics")]
    private static partial Regex MetricsAddress();
}
