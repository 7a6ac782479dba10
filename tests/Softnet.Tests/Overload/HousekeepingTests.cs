using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Softnet.Core;
using Softnet.Scheduling;
using Softnet.Tests.Admin;
using Softnet.Tests.Core;
using Softnet.Tests.Serve;

namespace Softnet.Tests.Overload;

/// <summary>
/// <see cref="NetStackOptions.HousekeepingCpus"/>: every thread that is not a packet thread runs on the housekeeping
/// CPUs, the packet threads on the others. Process-wide (it moves the test host's threads), so it runs alone.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class HousekeepingTests
{
    private static readonly IReadOnlyList<int> Allowed = SystemPlatform.Instance.AllowedOsCpus();

    public static TheoryData<string, string> BadLists => new()
    {
        { "", "must be a list of OS CPUs" },
        { "x", "must be a list of OS CPUs" },
        { "1-0", "must be a list of OS CPUs" },
        { "4095", "CPU 4095 in '4095' is offline or outside this process's affinity" },
        { CpuList.Format(Allowed), "leaves no CPU for the packet threads" },
    };

    [Theory]
    [MemberData(nameof(BadLists))]
    public void BadList_ThrowsNamingTheOptionAndTheAllowedCpus(string list, string why)
    {
        var options = new NetStackOptions { Cpus = 1, HousekeepingCpus = list };

        var e = Assert.ThrowsAny<ArgumentException>(() => new NetStack(options, Stacks.Ignore));

        Assert.Equal(nameof(NetStackOptions.HousekeepingCpus), e.ParamName);
        Assert.Contains(nameof(NetStackOptions.HousekeepingCpus), e.Message);
        Assert.Contains(why, e.Message);
        Assert.Contains(CpuList.Format(Allowed), e.Message);
    }

    [Fact]
    public void CommandLine_BadList_IsAUsageErrorNamingTheFlag()
    {
        var e = Assert.Throws<Softnet.Cli.Options.UsageException>(() => Softnet.Cli.Options.RunOptions.Parse(["--housekeeping-cpus", "4095"]));

        Assert.Contains("--housekeeping-cpus: CPU 4095", e.Message);
        Assert.Contains($"allowed CPUs {CpuList.Format(Allowed)}", e.Message);
    }

    [Fact]
    public void CpuList_FormatsRanges() => Assert.Equal("0-2,5,7-8", CpuList.Format([8, 0, 1, 2, 5, 7]));

    /// <summary>
    /// In the stack's own process: the threads that were there before it started, a thread-pool thread, and a thread
    /// started on the packet CPU (as one a packet thread creates inherits its CPU) run on the housekeeping CPU; the
    /// stack's ksoftirqd on the packet CPU; after the stack is disposed the threads have every CPU back.
    /// </summary>
    [TwoCpusFact]
    public async Task Threads_RunOnTheHousekeepingCpu_AndKsoftirqdOnThePacketCpu()
    {
        int housekeeping = Allowed[0], packet = Allowed[1];
        string expected = CpuList.Format([housekeeping]);
        int self = Interop.Libc.GetTid();
        using var release = new ManualResetEventSlim();
        int inherited = 0;
        var creature = new Thread(() =>
        {
            SetAffinity(packet);
            Volatile.Write(ref inherited, Interop.Libc.GetTid());
            release.Wait(TimeSpan.FromSeconds(30));
        });

        using (var stack = new NetStack(new NetStackOptions { Cpus = 1, HousekeepingCpus = CpuList.Format([housekeeping]) }, Stacks.Ignore))
        {
            Assert.Equal(expected, CpusAllowed(self));
            Assert.Equal(expected, await Task.Run(() => CpusAllowed(Interop.Libc.GetTid())));
            Assert.Equal(CpuList.Format([packet]), CpusAllowed(stack.Cpu(0).Ksoftirqd.Handle!.OsThreadId));
            Assert.Equal(packet, stack.Cpu(0).OsCpu);

            creature.Start();
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref inherited) != 0, TimeSpan.FromSeconds(10)));
            Assert.True(
                SpinWait.SpinUntil(() => CpusAllowed(inherited) == expected, TimeSpan.FromSeconds(10)),
                $"a thread on the packet CPU was not moved: {CpusAllowed(inherited)}");
        }

        Assert.Equal(CpuList.Format(Allowed), CpusAllowed(self));
        Assert.Equal(CpuList.Format(Allowed), CpusAllowed(inherited));
        release.Set();
        creature.Join();
    }

    /// <summary>
    /// <c>softnet serve --housekeeping-cpus</c>: after admin requests and datagrams, every thread of the process — the
    /// thread pool's, the admin server's, the runtime's — runs on the housekeeping CPU, and ksoftirqd/0 on the packet CPU.
    /// </summary>
    [TwoCpusFact]
    public async Task Serve_ControlPlaneOnTheHousekeepingCpu_PacketThreadOnThePacketCpu()
    {
        int housekeeping = Allowed[0], packet = Allowed[1];
        string admin = Path.Combine(Path.GetTempPath(), $"softnet-hk-{Guid.NewGuid():N}.sock");
        using var serve = new ServeProcess(
            "--admin", admin, "--reply", "echo", "--cpus", "1", "--queues", "1", "--housekeeping-cpus", CpuList.Format([housekeeping]));
        using (var http = UnixHttp.Create(admin))
        {
            for (int i = 0; i < 20; i++)
                Assert.Contains("\"delivered\"", await http.GetStringAsync("stats"));
        }
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            client.ReceiveTimeout = 5000;
            var buffer = new byte[32];
            for (int i = 0; i < 20; i++)
            {
                client.SendTo(buffer, new IPEndPoint(IPAddress.Loopback, serve.Port));
                Assert.Equal(32, client.Receive(buffer));
            }
        }

        var threads = Directory.GetDirectories($"/proc/{serve.Pid}/task")
            .Select(dir => (Name: File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n'), Cpus: CpusAllowedIn(dir)))
            .ToList();
        Assert.Contains(threads, t => t.Name == ".NET TP Worker");
        Assert.All(threads, t => Assert.Equal(t.Name == "ksoftirqd/0" ? CpuList.Format([packet]) : CpuList.Format([housekeeping]), t.Cpus));
        Assert.Single(threads, t => t.Name == "ksoftirqd/0");
        Assert.Equal(0, serve.Terminate());
    }

    private static string CpusAllowed(int tid) => CpusAllowedIn($"/proc/self/task/{tid}");

    private static string CpusAllowedIn(string taskDir) =>
        File.ReadLines(Path.Combine(taskDir, "status")).First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split('\t')[^1];

    private static unsafe void SetAffinity(int cpu)
    {
        byte* mask = stackalloc byte[Interop.Libc.CpuSetBytes];
        new Span<byte>(mask, Interop.Libc.CpuSetBytes).Clear();
        mask[cpu >> 3] = (byte)(1 << (cpu & 7));
        Assert.Equal(0, Interop.Libc.SchedSetAffinity(0, Interop.Libc.CpuSetBytes, mask));
    }
}
