using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Softnet.Admin;
using Softnet.Admin.Contract;
using Softnet.Cli.Admin;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Admin;

/// <summary>
/// The HTTP listener as another local user or a web page would try it: no token, a wrong one, a page's Origin, a
/// rebound DNS name in Host, a form post. Each is refused with a JSON error, and none changes anything.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed class HttpAdminSecurityTests
{
    private static readonly Func<AdminOptions, AdminOptions> Http = o => o with { HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) };

    [Fact]
    public async Task RequestsWithoutTheTokenOrFromAWebPageAreRefusedAndChangeNothing()
    {
        await using var h = await AdminHarness.StartAsync(Http);
        string token = AdminToken.Read(h.Server.TokenPath!);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{h.Server.HttpEndPoint}/") };
        string before = await h.Http.GetStringAsync("napi") + await h.Http.GetStringAsync("dev");
        const string Offline = """{"online": false}""";

        var noToken = await Send(http, "POST", "cpu/1", Offline, "application/json", token: null);
        Assert.Equal((HttpStatusCode.Unauthorized, "EACCES"), noToken.Result);
        Assert.Equal("Bearer", noToken.Challenge);
        Assert.Equal((HttpStatusCode.Unauthorized, "EACCES"), (await Send(http, "POST", "cpu/1", Offline, "application/json", token: token + "x")).Result);
        Assert.Equal((HttpStatusCode.Unauthorized, "EACCES"), (await Send(http, "GET", "stats", null, null, token: null)).Result);
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "EINVAL"), (await Send(http, "POST", "cpu/1", Offline, "text/plain", token)).Result);
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "EINVAL"), (await Send(http, "POST", "cpu/1", Offline, "application/x-www-form-urlencoded", token)).Result);
        Assert.Equal((HttpStatusCode.Forbidden, "EPERM"), (await Send(http, "POST", "cpu/1", Offline, "application/json", token, origin: "http://evil.example")).Result);
        Assert.Equal((HttpStatusCode.Forbidden, "EPERM"), (await Send(http, "POST", "cpu/1", Offline, "application/json", token, host: "evil.example")).Result);
        Assert.Equal((HttpStatusCode.Forbidden, "EPERM"), (await Send(http, "POST", "cpu/1", Offline, "text/plain", token: null, host: $"evil.example:{h.Server.HttpEndPoint!.Port}", origin: "null")).Result);

        Assert.All(h.Stack.Snapshot().Cpus, c => Assert.True(c.Online));
        Assert.Equal(before, await h.Http.GetStringAsync("napi") + await h.Http.GetStringAsync("dev"));

        // The same request, with the token, as JSON, to a loopback Host: applied.
        Assert.Equal(HttpStatusCode.OK, (await Send(http, "POST", "cpu/1", Offline, "application/json; charset=utf-8", token, host: $"localhost:{h.Server.HttpEndPoint.Port}")).Result.Status);
        Assert.False(h.Stack.Snapshot().Cpus[1].Online);
        Assert.Equal(HttpStatusCode.OK, (await Send(http, "GET", "stats", null, null, token, host: "[::1]")).Result.Status);
    }

    [Fact]
    public async Task AnIpv4MappedHttpAddressListensOnItsIpv4Address()
    {
        await using var h = await AdminHarness.StartAsync(o => o with { HttpEndPoint = new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 0) });

        Assert.Equal(IPAddress.Loopback, h.Server.HttpEndPoint!.Address);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{h.Server.HttpEndPoint}/") };
        Assert.Equal(HttpStatusCode.OK, (await Send(http, "GET", "stats", null, null, AdminToken.Read(h.Server.TokenPath!))).Result.Status);
    }

    [Fact]
    public async Task TheUnixSocketNeedsNoTokenItsFileModeGuardsIt()
    {
        await using var h = await AdminHarness.StartAsync(Http);
        using var response = await h.Http.PostAsync("cpu/1", new StringContent("""{"online": false}""", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(h.Stack.Snapshot().Cpus[1].Online);
    }

    [Fact]
    public async Task TheTokenFileIsOwnerOnlyBesideTheSocketAndTheVerbsUseItOverHttp()
    {
        string tokenPath;
        await using (var h = await AdminHarness.StartAsync(Http))
        {
            tokenPath = h.Server.TokenPath!;
            Assert.Equal(AdminToken.PathBeside(h.Server.SocketPath), tokenPath);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenPath));
            string http = h.Server.HttpEndPoint!.ToString();

            var result = await Verb("cpu", "offline", "1", "--admin-http", http, "--admin", h.Server.SocketPath);
            Assert.True(result.Code == 0, result.ToString());
            Assert.False(h.Stack.Snapshot().Cpus[1].Online);

            string wrong = Path.Combine(Path.GetDirectoryName(tokenPath)!, "wrong.token");
            File.WriteAllText(wrong, "not-the-token\n");
            File.SetUnixFileMode(wrong, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            result = await Verb("cpu", "online", "1", "--admin-http", http, "--admin-token-file", wrong);
            Assert.True(result.Code == AdminExitCodes.Refused, result.ToString());
            Assert.Contains("EACCES", result.Stderr);
            Assert.False(h.Stack.Snapshot().Cpus[1].Online);

            File.SetUnixFileMode(wrong, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            result = await Verb("cpu", "online", "1", "--admin-http", http, "--admin-token-file", wrong);
            Assert.True(result.Code == AdminExitCodes.NoServer, result.ToString());
            Assert.Contains("0604", result.Stderr);
        }
        Assert.False(File.Exists(tokenPath));
    }

    [Fact]
    public async Task AGivenTokenFileIsUsedAndMustNotBeReadableByOthers()
    {
        string directory = AdminHarness.NewDirectory();
        Directory.CreateDirectory(directory);
        string tokenFile = Path.Combine(directory, "token");
        File.WriteAllText(tokenFile, "s3cret-token\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        try
        {
            var e = await Assert.ThrowsAsync<AdminSetupException>(() => AdminHarness.StartAsync(o => Http(o) with { TokenFile = tokenFile }));
            Assert.Contains("0640", e.Message);

            File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead);
            await using var h = await AdminHarness.StartAsync(o => Http(o) with { TokenFile = tokenFile });
            Assert.Null(h.Server.TokenPath);
            using var http = new HttpClient { BaseAddress = new Uri($"http://{h.Server.HttpEndPoint}/") };
            Assert.Equal(HttpStatusCode.OK, (await Send(http, "GET", "stats", null, null, "s3cret-token")).Result.Status);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task TheMetricsListenerServesOnlyMetricsWithoutAToken()
    {
        await using var h = await AdminHarness.StartAsync(o => o with { MetricsEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        using var http = new HttpClient { BaseAddress = new Uri($"http://{h.Server.MetricsEndPoint}/") };

        string metrics = await http.GetStringAsync("metrics");
        Assert.Contains("softnet_processed_total{cpu=\"1\"}", metrics);
        Assert.DoesNotContain("node_", metrics);
        Assert.Equal((HttpStatusCode.NotFound, "ENOENT"), (await Send(http, "GET", "stats", null, null, null)).Result);
        Assert.Equal((HttpStatusCode.NotFound, "ENOENT"), (await Send(http, "POST", "cpu/1", """{"online": false}""", "application/json", null)).Result);
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "EOPNOTSUPP"), (await Send(http, "POST", "metrics", "{}", "application/json", null)).Result);
        Assert.True(h.Stack.Snapshot().Cpus[1].Online);
    }

    [Fact]
    public async Task AVerbAgainstAServerThatAcceptsButNeverAnswersExitsThree()
    {
        string directory = AdminHarness.NewDirectory();
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "stuck.sock");
        // A stopped (SIGSTOP) or hung server: the kernel completes connections into the backlog, nobody reads.
        using var stuck = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stuck.Bind(new UnixDomainSocketEndPoint(path));
        stuck.Listen();
        try
        {
            var result = await Verb("stat", "--admin", path);

            Assert.True(result.Code == AdminExitCodes.NoServer, result.ToString());
            Assert.Contains("no answer", result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AVerbAgainstAStoppedServerProcessExitsThreeAtOnce()
    {
        string directory = AdminHarness.NewDirectory();
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "admin.sock");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "Softnet.Cli.dll"), "serve", "--bind", "127.0.0.1:0", "--cpus", "1", "--admin", path])
            start.ArgumentList.Add(a);
        using var server = System.Diagnostics.Process.Start(start)!;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!await AdminSocket.Listening(path) && !server.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
                await Task.Delay(20);
            Assert.True(await AdminSocket.Listening(path), "softnet serve did not start listening on its socket");
            Signal(server.Id, "-STOP");
            // The stop takes effect when the process next runs; wait (bounded) until /proc shows it.
            clock.Restart();
            while (!File.ReadAllText($"/proc/{server.Id}/stat").Split(") ")[^1].StartsWith('T') && clock.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(10);

            var result = await Verb("stat", "--admin", path);

            Signal(server.Id, "-CONT");
            Assert.True(result.Code == AdminExitCodes.NoServer, result.ToString());
            Assert.Contains($"pid {server.Id}", result.Stderr);
            Assert.Contains("stopped", result.Stderr);
        }
        finally
        {
            Signal(server.Id, "-CONT");
            Signal(server.Id, "-TERM");
            if (!server.WaitForExit(TimeSpan.FromSeconds(30)))
                server.Kill();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static async Task<CliResult> Verb(string verb, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await AdminVerbs.RunAsync(verb, args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    private static async Task<Answer> Send(HttpClient http, string method, string path, string? body, string? contentType, string? token, string? host = null, string? origin = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (host is not null)
            request.Headers.Host = host;
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        string errno = response.IsSuccessStatusCode ? "" : JsonSerializer.Deserialize(text, AdminJsonContext.Default.AdminError)!.Errno;
        return new Answer((response.StatusCode, errno), response.Headers.WwwAuthenticate.FirstOrDefault()?.Scheme);
    }

    private sealed record Answer((HttpStatusCode Status, string Errno) Result, string? Challenge);
}
