using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Softnet.Cli.Admin;
using Softnet.Tests.TestSupport;
using Xunit.Abstractions;

namespace Softnet.Tests.Serve;

/// <summary>
/// SIGTERM under a flood while channels shrink and grow: in a private network namespace, where the kernel's UDP
/// counters see only this traffic, every datagram sent is read by Softnet, or counted by the kernel (socket drops,
/// no port once the sockets are closed, loopback backlog drops) — none is queued to a socket and freed unread.
/// </summary>
[Collection(nameof(ServeCollection))]
public sealed class ShutdownAccountingTests(ITestOutputHelper output)
{
    private const int Port = 9000;
    private const int MaxDatagrams = 6_000_000;
    private const int ChannelChanges = 16;
    private const int Senders = 2;

    [Fact]
    public async Task SigtermDuringAFloodAndChannelChanges_LeavesNoDatagramUnaccounted()
    {
        using var ns = NetNamespace.TryCreate(out string? whyNot);
        if (ns is null)
        {
            output.WriteLine($"skipped: no private network namespace: {whyNot}");
            return;
        }
        string directory = Path.Combine(Path.GetTempPath(), $"softnet-netns-{Guid.NewGuid():N}");
        string socket = Path.Combine(directory, "admin.sock");
        var start = ns.StartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "Softnet.Cli.dll"),
            "serve", "--bind", $"127.0.0.1:{Port}", "--queues", "2", "--cpus", "2", "--admin", socket, "--json");
        using var server = Process.Start(start)!;
        var stdout = server.StandardOutput.ReadToEndAsync();
        var stderr = new StringBuilder();
        server.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
                stderr.AppendLine(e.Data);
        };
        server.BeginErrorReadLine();
        try
        {
            await Eventually(async () => await AdminSocket.Listening(socket) || server.HasExited, "the server's admin socket to accept connections");
            Assert.False(server.HasExited, $"softnet serve exited: {stderr}");

            var stop = new CancellationTokenSource();
            var floods = Enumerable.Range(0, Senders).Select(_ => Task.Run(() => ns.RunInside(() => Flood(stop.Token)))).ToArray();
            int changes = 0;
            for (; changes < ChannelChanges; changes++)
                await SetChannelsWhileRunning(socket, changes % 2 == 0 ? 1 : 2, server, stderr);
            Assert.DoesNotContain(floods, f => f.IsCompleted);
            // The shutdown lands while channels keep changing; requests the stopping server no longer takes may fail.
            var churn = Task.Run(async () =>
            {
                for (int i = 0; i < ChannelChanges && !server.HasExited; i++)
                    await SetChannels(socket, i % 2 == 0 ? 1 : 2, TextWriter.Null);
            });
            Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            Assert.True(server.WaitForExit(TimeSpan.FromSeconds(60)), "softnet serve did not stop on SIGTERM");
            server.WaitForExit();
            await churn;
            stop.Cancel();
            var sent = (await Task.WhenAll(floods)).Sum();
            var counts = ns.RunInside(() => Settle(sent));

            Assert.True(server.ExitCode == 0, $"softnet serve exited {server.ExitCode}: {stderr}");
            using var report = JsonDocument.Parse(await stdout);
            long received = report.RootElement.GetProperty("received").GetInt64();
            var dropped = report.RootElement.GetProperty("dropped").EnumerateObject().ToDictionary(d => d.Name, d => d.Value.GetInt64());
            output.WriteLine($"{changes} channel changes; sent {counts.Sent}, kernel: {counts.Describe()}; softnet: received {received}, dropped {string.Join(", ", dropped.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}"))}");

            Assert.True(counts.Sent > 0 && received > 0, "no traffic went through");
            Assert.True(counts.Sent == counts.Accounted, $"sent {counts.Sent} but the kernel accounts for {counts.Accounted} ({counts.Describe()}): {counts.Sent - counts.Accounted} were queued to a socket and never read");
            Assert.Equal(counts.InDatagrams, received + dropped.Where(d => d.Key != "socket").Sum(d => d.Value));
            Assert.InRange(dropped["socket"], 0, counts.InErrors);
        }
        finally
        {
            if (!server.HasExited)
                server.Kill();
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<int> SetChannels(string socket, int rx, TextWriter stderr) =>
        await AdminVerbs.RunAsync("channels", ["set", "udp0", "--rx", rx.ToString(System.Globalization.CultureInfo.InvariantCulture), "--admin", socket], TextWriter.Null, stderr);

    /// <summary>
    /// Sets the channel count of the running server. Under the flood, on a loaded machine, the server's answer can take
    /// longer than the admin client waits (exit 3, no answer in time): setting the same count again is harmless, so a
    /// late answer is asked for again, a few times at most, while the server runs.
    /// </summary>
    private static async Task SetChannelsWhileRunning(string socket, int rx, Process server, StringBuilder serverStderr)
    {
        const int Attempts = 3;
        var errors = new StringWriter();
        for (int attempt = 1; ; attempt++)
        {
            int code = await SetChannels(socket, rx, errors);
            if (code == 0)
                return;
            if (server.HasExited)
            {
                lock (serverStderr)
                    Assert.Fail($"softnet serve exited during channels set --rx {rx}: {serverStderr}");
            }
            Assert.True(code == 3 && attempt < Attempts, $"channels set --rx {rx} exited {code} (attempt {attempt}): {errors}");
        }
    }

    /// <summary>Sends from eight flows until cancelled (or its share of the cap); returns how many sends succeeded.</summary>
    private static long Flood(CancellationToken stop)
    {
        var target = new IPEndPoint(IPAddress.Loopback, Port);
        var senders = Enumerable.Range(0, 8).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return s;
        }).ToArray();
        var payload = new byte[64];
        long sent = 0;
        try
        {
            while (!stop.IsCancellationRequested && sent < MaxDatagrams / Senders)
            {
                senders[sent % senders.Length].SendTo(payload, target);
                sent++;
            }
        }
        finally
        {
            foreach (var s in senders)
                s.Dispose();
        }
        return sent;
    }

    /// <summary>Loopback delivers in softirq shortly after each send returns; reads the counters once they account for every send (bounded wait).</summary>
    private static Counts Settle(long sent)
    {
        var clock = Stopwatch.StartNew();
        Counts counts;
        do
        {
            var udp = NetNamespace.Snmp("Udp");
            counts = new Counts(sent, udp["OutDatagrams"], udp["InDatagrams"], udp["InErrors"], udp["NoPorts"], udp["SndbufErrors"], NetNamespace.RxDropped("lo"));
            if (counts.Accounted >= sent)
                break;
            Thread.Sleep(10);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(10));
        return counts;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private sealed record Counts(long Sent, long OutDatagrams, long InDatagrams, long InErrors, long NoPorts, long SndbufErrors, long LoopbackDrops)
    {
        public long Accounted => InDatagrams + InErrors + NoPorts + SndbufErrors + LoopbackDrops;

        public string Describe() =>
            $"OutDatagrams {OutDatagrams}, InDatagrams {InDatagrams}, InErrors {InErrors}, NoPorts {NoPorts}, SndbufErrors {SndbufErrors}, lo drops {LoopbackDrops}";
    }
}
