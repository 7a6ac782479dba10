using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Softnet.Admin;
using Softnet.Core;
using Softnet.Diagnostics;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Metrics;

/// <summary>
/// The two exports name every counter the same way: OpenTelemetry's own Prometheus exporter, given the
/// <c>Softnet</c> meter, writes exactly the families and types that <c>/metrics</c> writes.
/// </summary>
public sealed partial class PrometheusNamingTests
{
    private const int Datagrams = 50;

    [Fact]
    public async Task OpenTelemetrysPrometheusExporterAndMetricsWriteTheSameFamilies()
    {
        int port = FreeTcpPort();
        long handled = 0;
        var stack = new NetStack(new NetStackOptions { Cpus = 2, Pin = false, Log = _ => { } }, (batch, _) => Interlocked.Add(ref handled, batch.Length));
        try
        {
            using var provider = Sdk.CreateMeterProviderBuilder()
                .AddMeter(SoftnetMetrics.MeterName)
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = "127.0.0.1";
                    o.Port = port;
                })
                .Build();
            var dev = Devices.Udp.UdpDevice.Open(stack, new Devices.Udp.UdpDeviceOptions { Queues = 1 });
            dev.Start();
            using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                for (int i = 0; i < Datagrams; i++)
                    sender.SendTo(new byte[16], new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port));
            }
            Eventually.True(() => Volatile.Read(ref handled) + stack.Snapshot().Dropped >= Datagrams, "every datagram delivered or counted");

            await using var metrics = await MetricsServer.StartAsync(stack, new IPEndPoint(IPAddress.Loopback, 0));
            using var http = new HttpClient();
            var ours = Families(await http.GetStringAsync($"http://{metrics.EndPoint}/metrics"));
            var theirs = Families(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));

            Assert.Equal(SoftnetCounters.All.Count, ours.Count);
            Assert.Equal(ours.OrderBy(f => f.Key), theirs.Where(f => f.Key.StartsWith("softnet_", StringComparison.Ordinal)).OrderBy(f => f.Key));
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>Every <c># TYPE</c> line: family name to type.</summary>
    private static Dictionary<string, string> Families(string text) =>
        TypeLine().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    private static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
