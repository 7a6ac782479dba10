using System.Diagnostics;
using System.Text.Json;
using Softnet.Admin;
using Softnet.Admin.Contract;
using Softnet.Cli.Admin;
using Softnet.Core;
using Softnet.Devices;

namespace Softnet.Tests.Admin;

/// <summary>
/// A small stack (2 CPUs) with a four-channel <see cref="FakeQueueDevice"/> <c>fq0</c> and a loopback <c>lo</c>, its
/// admin server on a private socket, and helpers to drive it through the CLI verbs as a user would.
/// </summary>
internal sealed class AdminHarness : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public const int Flows = 64;

    private readonly string _directory;
    private HttpClient? _http;

    private AdminHarness(string directory, NetStack stack, Delivery delivery, FakeQueueDevice device, LoopbackDevice loopback, AdminServer server)
    {
        _directory = directory;
        Stack = stack;
        Delivery = delivery;
        Device = device;
        Loopback = loopback;
        Server = server;
    }

    public NetStack Stack { get; }

    public Delivery Delivery { get; }

    public FakeQueueDevice Device { get; }

    public LoopbackDevice Loopback { get; }

    public AdminServer Server { get; }

    public HttpClient Http => _http ??= UnixHttp.Create(Server.SocketPath);

    public static string NewDirectory() => Path.Combine(Path.GetTempPath(), $"softnet-admin-{Guid.NewGuid():N}");

    public static async Task<AdminHarness> StartAsync(Func<AdminOptions, AdminOptions>? configure = null)
    {
        var delivery = new Delivery(Flows);
        var stack = new NetStack(new NetStackOptions { Cpus = 2, Pin = false, Log = _ => { } }, delivery.Handle);
        try
        {
            var device = new FakeQueueDevice(stack, "fq0", channels: 4, maxChannels: 4);
            var loopback = new LoopbackDevice(stack);
            string directory = NewDirectory();
            var options = new AdminOptions { UnixSocketPath = Path.Combine(directory, "admin.sock") };
            var server = await AdminServer.StartAsync(stack, configure?.Invoke(options) ?? options);
            return new AdminHarness(directory, stack, delivery, device, loopback, server);
        }
        catch
        {
            stack.Dispose();
            throw;
        }
    }

    public async Task<CliResult> Cli(string verb, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await AdminVerbs.RunAsync(verb, [.. args, "--admin", Server.SocketPath], stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a verb that must succeed.</summary>
    public async Task<CliResult> Ok(string verb, params string[] args)
    {
        var result = await Cli(verb, args);
        Assert.True(result.Code == 0, $"softnet {verb} {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary><c>softnet napi list --json</c>, parsed.</summary>
    public async Task<NapiInfo[]> Napis()
    {
        var result = await Ok("napi", "list", "--json");
        return [.. JsonSerializer.Deserialize(result.Stdout, AdminJsonContext.Default.IReadOnlyListNapiInfo)!];
    }

    /// <summary>fq0's NAPIs by queue index.</summary>
    public async Task<NapiInfo[]> DeviceNapis() =>
        [.. (await Napis()).Where(n => n.IfIndex == Device.IfIndex).OrderBy(n => n.Irq)];

    /// <summary>The name the OS gives a thread of this process (<c>comm</c>); null once it has exited.</summary>
    public static string? ThreadName(int tid)
    {
        try
        {
            return File.ReadAllText($"/proc/self/task/{tid}/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Waits until every packet sent was delivered or counted as a drop, then checks both counts agree with the stack's.</summary>
    public async Task AssertAccounted(long sent)
    {
        var clock = Stopwatch.StartNew();
        // The stack counts a batch as delivered when its handler returns, after the handler counted it.
        while (clock.Elapsed < Patience && Stack.Snapshot() is var s && (Delivery.Delivered + s.Dropped < sent || s.Delivered < Delivery.Delivered))
            await Task.Delay(5);
        var snapshot = Stack.Snapshot();
        Assert.True(
            sent == Delivery.Delivered + snapshot.Dropped,
            $"sent {sent}, delivered {Delivery.Delivered}, dropped {snapshot.Dropped} ({string.Join(", ", snapshot.Drops.Where(d => d.Value > 0).Select(d => $"{d.Key}: {d.Value}"))})");
        Assert.Equal(Delivery.Delivered, snapshot.Delivered);
    }

    public static async Task Eventually(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        await Server.DisposeAsync();
        Stack.Dispose();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
