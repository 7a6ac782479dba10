using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Softnet.Admin;
using Softnet.Cli.Admin;
using Softnet.Core;
using Softnet.Diagnostics;

namespace Softnet.Tests.Admin;

/// <summary>The server's own contract: where and how it listens, and what it leaves behind.</summary>
[Collection(AdminCollection.Name)]
public sealed class AdminServerTests
{
    [Fact]
    public async Task SocketIsOwnerOnlyInAnOwnerOnlyDirectoryAndRemovedOnDispose()
    {
        string directory = AdminHarness.NewDirectory();
        string path = Path.Combine(directory, "nested", "admin.sock");
        using var stack = NewStack();
        try
        {
            var server = await AdminServer.StartAsync(stack, new AdminOptions { UnixSocketPath = path });
            Assert.Equal(path, server.SocketPath);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(AdminPaths.DirectoryMode, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
            Assert.Null(server.HttpEndPoint);

            await server.DisposeAsync();
            Assert.False(File.Exists(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task NonLoopbackHttpIsRefusedByDefault()
    {
        using var stack = NewStack();
        var options = new AdminOptions
        {
            UnixSocketPath = Path.Combine(AdminHarness.NewDirectory(), "admin.sock"),
            HttpEndPoint = new IPEndPoint(IPAddress.Any, 9100),
        };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => AdminServer.StartAsync(stack, options));

        Assert.Equal("admin HTTP must bind a loopback address (got 0.0.0.0:9100); pass --admin-allow-remote to allow it", e.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(options.UnixSocketPath)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task LoopbackHttpServesTheSameApi(string address)
    {
        if (address == "::1" && !Socket.OSSupportsIPv6)
            return;
        string directory = AdminHarness.NewDirectory();
        using var stack = NewStack();
        await using (var server = await AdminServer.StartAsync(stack, new AdminOptions
        {
            UnixSocketPath = Path.Combine(directory, "admin.sock"),
            HttpEndPoint = new IPEndPoint(IPAddress.Parse(address), 0),
        }))
        {
            var bound = Assert.IsType<IPEndPoint>(server.HttpEndPoint);
            Assert.Equal(IPAddress.Parse(address), bound.Address);
            Assert.NotEqual(0, bound.Port);
            using var http = new HttpClient { BaseAddress = new Uri($"http://{bound}/") };
            http.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken.Read(server.TokenPath!));
            string text = await http.GetStringAsync("softnet_stat");
            Assert.Equal(2, SoftnetStat.Parse(text).Count);
        }
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task AStaleSocketIsReplacedAndALiveServerIsNotTakenOver()
    {
        string directory = AdminHarness.NewDirectory();
        string path = Path.Combine(directory, "admin.sock");
        Directory.CreateDirectory(directory);
        using var stack = NewStack();
        try
        {
            // A crashed server leaves its socket file behind: bound, never unlinked, nobody listening. .NET unlinks
            // what it bound on dispose, so the socket is bound elsewhere and moved into place.
            using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                stale.Bind(new UnixDomainSocketEndPoint(path + ".tmp"));
                File.Move(path + ".tmp", path);
            }
            Assert.True(File.Exists(path));

            await using var server = await AdminServer.StartAsync(stack, new AdminOptions { UnixSocketPath = path });
            var e = await Assert.ThrowsAsync<AdminSetupException>(() => AdminServer.StartAsync(stack, new AdminOptions { UnixSocketPath = path }));
            Assert.Contains(path, e.Message);

            using var http = UnixHttp.Create(path);
            Assert.Equal(2, SoftnetStat.Parse(await http.GetStringAsync("softnet_stat")).Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void TheDefaultSocketFollowsXdgRuntimeDirOrTheUserTmpDirectory()
    {
        string? saved = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        try
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", "/run/user/4242");
            Assert.Equal("/run/user/4242/softnet/softnet.sock", AdminPaths.DefaultSocketPath());
            Assert.Equal("/run/user/4242/softnet/edge.sock", new AdminOptions { Name = "edge" }.UnixSocketPath);

            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", null);
            Assert.Equal($"/tmp/softnet-{UserId()}/softnet.sock", new AdminOptions().UnixSocketPath);
            Assert.Throws<ArgumentException>(() => AdminPaths.DefaultSocketPath("../x"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", saved);
        }
    }

    [Fact]
    public async Task ServerAndVerbsMeetOnTheDefaultPathWhoseDirectoryIsMadeOwnerOnly()
    {
        string? saved = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        string runtime = AdminHarness.NewDirectory();
        string directory = Path.Combine(runtime, "softnet");
        Directory.CreateDirectory(directory, AdminPaths.DirectoryMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        using var stack = NewStack();
        try
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", runtime);
            await using (var server = await AdminServer.StartAsync(stack, new AdminOptions()))
            {
                Assert.Equal(Path.Combine(directory, "softnet.sock"), server.SocketPath);
                Assert.Equal(AdminPaths.DirectoryMode, File.GetUnixFileMode(directory));
                var stdout = new StringWriter();
                Assert.Equal(AdminExitCodes.Ok, await AdminVerbs.RunAsync("stat", [], stdout, TextWriter.Null));
                Assert.Equal(2, SoftnetStat.Parse(stdout.ToString()).Count);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", saved);
            Directory.Delete(runtime, recursive: true);
        }
    }

    [Fact]
    public async Task AFailedHttpBindLeavesNoSocketBehind()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        string directory = AdminHarness.NewDirectory();
        string path = Path.Combine(directory, "admin.sock");
        using var stack = NewStack();

        await Assert.ThrowsAnyAsync<IOException>(() => AdminServer.StartAsync(stack, new AdminOptions
        {
            UnixSocketPath = path,
            HttpEndPoint = (IPEndPoint)taken.LocalEndpoint,
        }));

        Assert.False(File.Exists(path));
        Directory.Delete(directory, recursive: true);
    }

    private static NetStack NewStack() => new(new NetStackOptions { Cpus = 2, Pin = false, Log = _ => { } }, (_, _) => { });

    private static string UserId() =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
}
