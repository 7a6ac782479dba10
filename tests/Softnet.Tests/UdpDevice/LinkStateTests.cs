using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Softnet.Admin;
using Softnet.Cli.Admin;
using Softnet.Core;
using Softnet.Tests.Admin;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>
/// ip link set down/up on a UDP device: down delivers what the queues held, counts later datagrams as device_down (not
/// softnet_stat dropped) and hides the NAPIs; up brings back the same NAPI ids, threaded modes and threads.
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public class LinkStateTests
{
    public LinkStateTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected LinkStateTests(UdpBackend backend) => TestBackend.Current = backend;

    [Fact]
    public void Down_DeliversWhatWasQueued_CountsLaterDatagrams_AndUpRestoresTheSameNapis()
    {
        long delivered = 0;
        var stack = UdpStacks.Create((batch, cpu) => Interlocked.Add(ref delivered, batch.Length));
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2 });
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var payload = new byte[32];
            Send(sender, dev.LocalEndPoint, payload, 40);
            dev.Start();
            int[] ids = [.. dev.Napis.Select(n => n.Id)];

            dev.SetDown();

            // What reached the sockets before down was drained into the stack before SetDown returned.
            Assert.Equal(40, Interlocked.Read(ref delivered));
            Assert.False(dev.IsUp);
            Assert.Empty(dev.Napis);
            Assert.All(ids, id => Assert.Null(stack.FindNapi(id)));
            Assert.Equal(ids, dev.NapiConfigs.Take(2).Select(c => c.NapiId));

            Send(sender, dev.LocalEndPoint, payload, 30);
            Wait.Until(() => stack.Snapshot().Drops[DropReason.DeviceDown] == 30, () => $"30 device_down drops (have {stack.Snapshot().Drops[DropReason.DeviceDown]})");
            var down = stack.Snapshot();
            Assert.Equal(0, down.Dropped - down.Drops[DropReason.DeviceDown]);
            Assert.DoesNotContain(down.Cpus, c => c.Dropped != 0);
            Assert.Equal(30, dev.RxDropped);
            Assert.Equal(40, Interlocked.Read(ref delivered));

            dev.SetUp();

            Assert.True(dev.IsUp);
            Assert.Equal(ids, dev.Napis.Select(n => n.Id));
            Send(sender, dev.LocalEndPoint, payload, 20);
            Wait.Until(() => Interlocked.Read(ref delivered) == 60, () => $"60 delivered (have {Interlocked.Read(ref delivered)})");
            Assert.Equal(30, stack.Snapshot().Dropped);
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Fact]
    public void DownAndUp_KeepThreadedModesAndTheirThreads()
    {
        long delivered = 0;
        var stack = UdpStacks.Create((batch, cpu) => Interlocked.Add(ref delivered, batch.Length));
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2 });
            dev.Start();
            dev.SetThreaded(ThreadedMode.Enabled);
            dev.SetNapi(dev.Napis[1], ThreadedMode.BusyPoll, deferHardIrqs: 3);
            int?[] threads = [.. dev.Napis.Select(n => n.ThreadId)];
            Assert.All(threads, t => Assert.NotNull(t));

            dev.SetDown();

            Assert.Equal([ThreadedMode.Enabled, ThreadedMode.BusyPoll], dev.NapiConfigs.Take(2).Select(c => c.Threaded));
            Assert.All(threads, t => Assert.True(File.Exists($"/proc/self/task/{t}/comm"), $"thread {t} ended while the device was down"));

            dev.SetUp();

            var napis = dev.Napis;
            Assert.Equal(threads, napis.Select(n => n.ThreadId));
            Assert.Equal(ThreadedMode.Enabled, napis[0].Threaded);
            Assert.Equal(ThreadedMode.BusyPoll, napis[1].Threaded);
            Assert.Equal(3, napis[1].DeferHardIrqs);
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var senders = Enumerable.Range(0, 8).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)).ToArray();
            try
            {
                foreach (var s in senders)
                    s.SendTo(new byte[8], dev.LocalEndPoint);
            }
            finally
            {
                foreach (var s in senders)
                    s.Dispose();
            }
            Wait.Until(() => Interlocked.Read(ref delivered) == 8, () => "the datagrams after up");
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>
    /// Down and up while an application thread busy-polls and datagrams keep coming: down waits for the busy poller to
    /// let each NAPI go, and every datagram is delivered or counted (device_down while down).
    /// </summary>
    [Fact]
    public void DownAndUp_WhileBusyPolling_AccountForEveryDatagram()
    {
        const int Cycles = 10;
        const int PerBurst = 50;
        long delivered = 0;
        var stack = UdpStacks.Create((batch, cpu) => Interlocked.Add(ref delivered, batch.Length));
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2, DeferHardIrqs = 1, GroFlushTimeoutNs = 500_000 });
            dev.Start();
            var poller = new BusyPoller(dev, new BusyPollOptions { BusyPollUsecs = 100, PreferBusyPoll = true });
            bool stop = false;
            Exception? pollError = null;
            var polling = new Thread(() =>
            {
                try
                {
                    while (!Volatile.Read(ref stop))
                        poller.Poll();
                }
                catch (Exception e)
                {
                    pollError = e;
                }
            })
            { IsBackground = true, Name = "test-busy-poll" };
            polling.Start();
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var payload = new byte[16];
            long sent = 0;
            try
            {
                for (int c = 0; c < Cycles; c++)
                {
                    Send(sender, dev.LocalEndPoint, payload, PerBurst);
                    sent += PerBurst;
                    dev.SetDown();
                    Send(sender, dev.LocalEndPoint, payload, PerBurst);
                    sent += PerBurst;
                    dev.SetUp();
                }
                Send(sender, dev.LocalEndPoint, payload, PerBurst);
                sent += PerBurst;
                Wait.Until(() => Interlocked.Read(ref delivered) + stack.Snapshot().Dropped == sent,
                    () => $"sent {sent} = delivered {Interlocked.Read(ref delivered)} + dropped {stack.Snapshot().Dropped}");
            }
            finally
            {
                Volatile.Write(ref stop, true);
                Assert.True(polling.Join(Wait.Patience), "the polling thread did not stop");
            }

            Assert.Null(pollError);
            var snapshot = stack.Snapshot();
            Assert.Equal(snapshot.Dropped, snapshot.Drops[DropReason.DeviceDown]);
            Assert.True(poller.Calls > 0);
            Assert.Equal(2, dev.Napis.Count);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>Disposing a down device counts what reached its sockets and frees its port.</summary>
    [Fact]
    public void DisposingADownDevice_FreesThePort()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2 });
            dev.Start();
            dev.SetDown();
            var bound = dev.LocalEndPoint;

            dev.Dispose();

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(bound);
            Assert.Empty(stack.Devices);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>softnet dev set --state down|up through the admin endpoint: napi-get by id answers ENOENT and the dump omits the NAPIs while down.</summary>
    [Fact]
    public async Task AdminStateDownAndUp_HidesAndRestoresTheNapis()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        string directory = AdminHarness.NewDirectory();
        var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Name = "udp3", Queues = 2 });
        dev.Start();
        int id = dev.Napis[0].Id;
        var server = await AdminServer.StartAsync(stack, new AdminOptions { UnixSocketPath = Path.Combine(directory, "admin.sock") });
        try
        {
            using var http = UnixHttp.Create(server.SocketPath);

            var (code, stdout, stderr) = await Cli(server, "dev", "set", "udp3", "--state", "down");
            Assert.True(code == 0, stderr);
            Assert.Contains("down", stdout);
            var byId = await http.GetAsync($"napi/{id}");
            Assert.Equal(HttpStatusCode.NotFound, byId.StatusCode);
            Assert.Contains("ENOENT", await byId.Content.ReadAsStringAsync());
            using (var dump = JsonDocument.Parse(await http.GetStringAsync("napi")))
                Assert.DoesNotContain(dump.RootElement.EnumerateArray(), n => n.GetProperty("ifindex").GetInt32() == dev.IfIndex);
            using (var info = JsonDocument.Parse(await http.GetStringAsync("dev/udp3")))
                Assert.Equal("down", info.RootElement.GetProperty("state").GetString());

            (code, _, stderr) = await Cli(server, "dev", "set", "udp3", "--state", "up");
            Assert.True(code == 0, stderr);
            using var back = JsonDocument.Parse(await http.GetStringAsync($"napi/{id}"));
            Assert.Equal(dev.IfIndex, back.RootElement.GetProperty("ifindex").GetInt32());

            // Not a state at all: a usage error, before the server is asked.
            (code, _, stderr) = await Cli(server, "dev", "set", "udp3", "--state", "sideways");
            Assert.Equal(2, code);
            Assert.Contains("--state must be one of up, down (got 'sideways')", stderr);
        }
        finally
        {
            await server.DisposeAsync();
            stack.Dispose();
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Cli(AdminServer server, string verb, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await AdminVerbs.RunAsync(verb, [.. args, "--admin", server.SocketPath], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void Send(Socket sender, IPEndPoint to, byte[] payload, int count)
    {
        for (int i = 0; i < count; i++)
            sender.SendTo(payload, to);
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class LinkStateTestsIoUring : LinkStateTests
{
    public LinkStateTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
