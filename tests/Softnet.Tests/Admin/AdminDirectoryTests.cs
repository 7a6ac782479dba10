using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Softnet.Admin;
using Softnet.Core;
using Softnet.Tests.TestSupport;
using Xunit.Abstractions;

namespace Softnet.Tests.Admin;

/// <summary>
/// Another local user must not be able to take the admin socket over: by owning or widening its directory, by a
/// symbolic link in its place, by connecting before the socket's mode is set, or by tricking the server into deleting
/// a file that is not a stale socket.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed partial class AdminDirectoryTests(ITestOutputHelper output)
{
    private const UnixFileMode All = (UnixFileMode)0x1FF;

    [Fact]
    public async Task ADefaultDirectoryOwnedByAnotherUserIsRefusedNamingItsOwnerAndMode()
    {
        if (!OtherUser.Available(out string whyNot))
        {
            output.WriteLine($"skipped: {whyNot}");
            return;
        }
        await WithRuntimeDir(async runtime =>
        {
            string directory = Path.Combine(runtime, "softnet");
            Directory.CreateDirectory(directory);
            File.SetUnixFileMode(directory, All);
            OtherUser.Own(directory);
            using var stack = NewStack();

            var e = await Assert.ThrowsAsync<AdminSetupException>(() => AdminServer.StartAsync(stack, new AdminOptions()));

            Assert.Contains(directory, e.Message);
            Assert.Contains($"uid {OtherUser.Uid}", e.Message);
            Assert.Contains("0777", e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(directory));
            Assert.Equal(All, File.GetUnixFileMode(directory));
        });
    }

    [Fact]
    public async Task VerbsOnTheDefaultPathDoNotTrustAServerOfAnotherUser()
    {
        if (!OtherUser.Available(out string whyNot))
        {
            output.WriteLine($"skipped: {whyNot}");
            return;
        }
        await WithRuntimeDir(async runtime =>
        {
            OtherUser.Own(runtime);
            string socket = Path.Combine(runtime, "softnet", "softnet.sock");
            using var server = OtherUser.StartCli($"XDG_RUNTIME_DIR={runtime}", "serve", "--bind", "127.0.0.1:0", "--cpus", "1");
            try
            {
                var clock = Stopwatch.StartNew();
                while (!await AdminSocket.Listening(socket) && !server.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
                    await Task.Delay(20);
                Assert.True(await AdminSocket.Listening(socket), "the other user's server did not start");
                var stdout = new StringWriter();
                var stderr = new StringWriter();

                // Root can connect to any socket; the answer would be the other user's numbers.
                int code = await Softnet.Cli.Admin.AdminVerbs.RunAsync("cpu", ["offline", "1"], stdout, stderr);

                Assert.True(code == Softnet.Cli.Admin.AdminExitCodes.NoServer, $"exit {code}: {stderr}");
                Assert.Contains($"uid {OtherUser.Uid}", stderr.ToString());
                Assert.Empty(stdout.ToString());
            }
            finally
            {
                server.Kill();
                server.WaitForExit();
            }
        });
    }

    [Fact]
    public async Task ASymbolicLinkInPlaceOfTheDefaultDirectoryIsRefusedAndItsTargetLeftAlone()
    {
        await WithRuntimeDir(async runtime =>
        {
            string target = Path.Combine(runtime, "elsewhere");
            Directory.CreateDirectory(target);
            const UnixFileMode Wide = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            File.SetUnixFileMode(target, Wide);
            Directory.CreateSymbolicLink(Path.Combine(runtime, "softnet"), target);
            using var stack = NewStack();

            var e = await Assert.ThrowsAsync<AdminSetupException>(() => AdminServer.StartAsync(stack, new AdminOptions()));

            Assert.Contains("symbolic link", e.Message);
            Assert.Equal(Wide, File.GetUnixFileMode(target));
            Assert.Empty(Directory.GetFileSystemEntries(target));
        });
    }

    [Fact]
    public async Task AWorldWritableDirectoryWithoutTheStickyBitIsRefused()
    {
        string directory = AdminHarness.NewDirectory();
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, All);
        using var stack = NewStack();
        try
        {
            var e = await Assert.ThrowsAsync<AdminSetupException>(() =>
                AdminServer.StartAsync(stack, new AdminOptions { UnixSocketPath = Path.Combine(directory, "admin.sock") }));
            Assert.Contains("0777", e.Message);
            Assert.Contains(directory, e.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task TheSocketIsOwnerOnlyFromTheMomentItExistsEvenUnderUmaskZero()
    {
        string directory = AdminHarness.NewDirectory();
        string path = Path.Combine(directory, "admin.sock");
        Directory.CreateDirectory(directory);
        using var stack = NewStack();
        // A watcher spinning on the path sees the socket's first mode, before any chmod could run.
        UnixFileMode? firstSeen = null;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watcher = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    firstSeen = File.GetUnixFileMode(path);
                    return;
                }
                catch (FileNotFoundException)
                {
                }
            }
        });
        watcher.Start();
        uint saved = Umask(0);
        AdminServer server;
        uint after;
        try
        {
            server = await AdminServer.StartAsync(stack, new AdminOptions { UnixSocketPath = path });
            after = Umask(0);
        }
        finally
        {
            Umask(saved);
        }
        watcher.Join();
        try
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, firstSeen);
            Assert.Equal(0u, after);
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ARegularFileAtTheSocketPathIsNeverDeleted()
    {
        string directory = AdminHarness.NewDirectory();
        string path = Path.Combine(directory, "admin.sock");
        Directory.CreateDirectory(directory);
        File.WriteAllText(path, "precious");
        using var stack = NewStack();
        try
        {
            var e = await Assert.ThrowsAsync<AdminSetupException>(() => AdminServer.StartAsync(stack, new AdminOptions { UnixSocketPath = path }));

            Assert.Contains("not a socket", e.Message);
            Assert.Equal("precious", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ServeAsAnotherUserAgainstOurSocketOrInOurDirectoryFailsCleanly()
    {
        if (!OtherUser.Available(out string whyNot))
        {
            output.WriteLine($"skipped: {whyNot}");
            return;
        }
        string directory = AdminHarness.NewDirectory();
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        string path = Path.Combine(directory, "admin.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(path));
        live.Listen();
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            // Our live socket: the other user cannot even probe it (EACCES) and must not touch it.
            var (exit, text) = OtherUser.RunCli(TimeSpan.FromSeconds(60), "serve", "--bind", "127.0.0.1:0", "--admin", path);
            Assert.True(exit == 1, $"exit {exit}: {text}");
            Assert.Contains(path, text);
            Assert.DoesNotContain("   at ", text);
            Assert.True(File.Exists(path));

            // A directory the other user cannot write to: bind fails with EACCES, said plainly.
            (exit, text) = OtherUser.RunCli(TimeSpan.FromSeconds(60), "serve", "--bind", "127.0.0.1:0", "--admin", Path.Combine(directory, "other.sock"));
            Assert.True(exit == 1, $"exit {exit}: {text}");
            Assert.Contains("EACCES", text);
            Assert.DoesNotContain("   at ", text);

            // The CLI verbs as the other user: no access to our socket is "no server" (3), not a crash.
            (exit, text) = OtherUser.RunCli(TimeSpan.FromSeconds(60), "cpu", "offline", "1", "--admin", path);
            Assert.True(exit == 3, $"exit {exit}: {text}");
            Assert.DoesNotContain("   at ", text);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static NetStack NewStack() => new(new NetStackOptions { Cpus = 2, Pin = false, Log = _ => { } }, (_, _) => { });

    private static async Task WithRuntimeDir(Func<string, Task> body)
    {
        string? saved = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        string runtime = AdminHarness.NewDirectory();
        Directory.CreateDirectory(runtime);
        try
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", runtime);
            await body(runtime);
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", saved);
            Directory.Delete(runtime, recursive: true);
        }
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);
}
