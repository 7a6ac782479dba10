using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Softnet.Admin;
using Softnet.Admin.Contract;

namespace Softnet.Tests.Admin;

/// <summary>
/// Random requests against a running admin server, over its Unix socket and its HTTP listener: random methods,
/// paths, credentials, Host and Origin headers, content types, JSON bodies and raw bytes. No answer is a 5xx, every
/// refusal is a JSON error with an errno, and a refused request leaves the server's state as it was.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed class AdminFuzzTests
{
    private const int Requests = 400;

    private const int SettledReads = 4;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"];

    private static readonly string[] Attributes = ["threaded", "defer-hard-irqs", "gro-flush-timeout", "rx", "online", "tx", "", "threaded ", "\\ud800", "\\u0074hreaded"];

    // Values a request may legitimately apply are kept harmless to the machine: no busy-poll (a spinning thread per
    // NAPI) and no short gro-flush-timeout with a large defer-hard-irqs (a watchdog polling without pause).
    private static readonly string[] Values =
    [
        "0", "1", "2", "-1", "3", "4", "99", "2147483647", "2147483648", "4294967296", "10000000000", "10000000001",
        "9223372036854775807", "9223372036854775808", "1e400", "1.5", "-0", "true", "false", "null", "{}", "[]", "[1]",
        "{\"a\":1}", "\"disabled\"", "\"enabled\"", "\"fast\"", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\u00e9\"",
    ];

    [Fact]
    public async Task RandomRequestsNeverGetA5xxAndRefusedOnesChangeNothing()
    {
        await using var h = await AdminHarness.StartAsync(o => o with { HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        string token = AdminToken.Read(h.Server.TokenPath!);
        int port = h.Server.HttpEndPoint!.Port;
        using var tcp = new HttpClient { BaseAddress = new Uri($"http://{h.Server.HttpEndPoint}/"), Timeout = TimeSpan.FromSeconds(30) };
        int[] ids = [.. h.Device.Napis.Select(n => n.Id)];
        int refused = 0;

        Generator(ids, port).Sample(
            request => Task.Run(async () =>
            {
                if (await CheckAsync(h, request.OverHttp ? tcp : h.Http, request, token))
                    Interlocked.Increment(ref refused);
            }).GetAwaiter().GetResult(),
            iter: Requests,
            threads: 1);

        // The generator reaches both sides of the checks.
        Assert.InRange(refused, 1, Requests - 1);
    }

    /// <summary>Sends one request and checks the answer; returns whether it was refused.</summary>
    private static async Task<bool> CheckAsync(AdminHarness h, HttpClient http, FuzzRequest r, string token)
    {
        string before = await State(h);
        using var request = new HttpRequestMessage(new HttpMethod(r.Method), r.Path);
        if (r.Body is not null)
        {
            request.Content = new ByteArrayContent(r.Body);
            if (r.ContentType is not null)
                request.Content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
        }
        if (r.Auth is not null)
            request.Headers.TryAddWithoutValidation("Authorization", r.Auth.Replace("TOKEN", token, StringComparison.Ordinal));
        if (r.Host is not null)
            request.Headers.Host = r.Host;
        if (r.Origin is not null)
            request.Headers.TryAddWithoutValidation("Origin", r.Origin);
        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode < 500, $"{r}: {(int)response.StatusCode} {text}");
        if (response.IsSuccessStatusCode)
        {
            await Settled(h);
            return false;
        }
        if (r.Method != "HEAD")
        {
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{r}: {(int)response.StatusCode} without a JSON body: '{text}'");
            var error = JsonSerializer.Deserialize(text, AdminJsonContext.Default.AdminError);
            Assert.False(string.IsNullOrEmpty(error?.Errno), $"{r}: {text}");
        }
        string after = await State(h);
        Assert.True(before == after, $"{r} was refused ({(int)response.StatusCode} {text}) but changed the state\nbefore: {before}\nafter:  {after}");
        return true;
    }

    /// <summary>
    /// Waits for what an accepted request set going to finish: a NAPI thread it started reports its pid only once it
    /// runs, and the next request's "before" must not catch it half-way. Settled means the same state in
    /// <see cref="SettledReads"/> reads in a row, 5 ms apart: on a loaded machine one equal pair can fall before a change.
    /// </summary>
    private static async Task Settled(AdminHarness h)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string last = await State(h);
        int same = 0;
        while (DateTime.UtcNow < deadline)
        {
            bool started = h.Stack.Devices.SelectMany(d => d.Napis).All(n => n.Thread is not { } t || t.Handle.OsThreadId != 0);
            string now = await State(h);
            same = started && now == last ? same + 1 : 0;
            if (same == SettledReads - 1)
                return;
            last = now;
            await Task.Delay(5);
        }
        Assert.Fail("the state did not settle after an accepted request");
    }

    /// <summary>
    /// Everything a request can change: NAPI settings and threads, devices and channels, CPUs online. Not the
    /// <c>overload</c> views: they observe load, and the detectors' ticks move them without any request.
    /// </summary>
    private static async Task<string> State(AdminHarness h) =>
        WithoutOverload(await h.Http.GetStringAsync("napi")) + WithoutOverload(await h.Http.GetStringAsync("dev"))
        + string.Concat(h.Stack.Snapshot().Cpus.Select(c => c.Online ? "1" : "0"));

    private static string WithoutOverload(string json)
    {
        var rows = JsonNode.Parse(json)!.AsArray();
        foreach (var row in rows)
            row!.AsObject().Remove("overload");
        return rows.ToJsonString();
    }

    private static Gen<FuzzRequest> Generator(int[] ids, int port)
    {
        var segment = Gen.String[0, 12].Select(s => Uri.EscapeDataString(s));
        var number = Gen.OneOf(Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)), Gen.OneOf(ids).Select(i => i.ToString(CultureInfo.InvariantCulture)), Gen.OneOf("0", "1", "2", "-1", "01", "4294967296", "abc"));
        var path = Gen.OneOf<string>(
            Gen.OneOf("napi", "dev", "dev/fq0", "dev/lo", "dev/fq0/channels", "dev/lo/channels", "stats", "softnet_stat", "metrics", "", "napi/", "./napi", "napi//1", "napi/../cpu/1"),
            number.Select(n => $"napi/{n}"),
            number.Select(n => $"cpu/{n}"),
            number.Select(n => $"napi?ifindex={n}"),
            segment.Select(s => $"dev/{s}"),
            segment.Select(s => $"dev/{s}/channels"),
            segment);
        var json = Gen.Select(Gen.OneOf(Attributes), Gen.OneOf(Values)).Array[0, 3]
            .Select(pairs => "{" + string.Join(",", pairs.Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}");
        var body = Gen.Frequency<byte[]?>(
            (6, json.Select(j => (byte[]?)Encoding.UTF8.GetBytes(j))),
            (1, Gen.Byte.Array[0, 48].Select(b => (byte[]?)b)),
            (1, Gen.OneOf(Values).Select(v => (byte[]?)Encoding.UTF8.GetBytes(v))),
            (2, Gen.Const(() => (byte[]?)null)));
        var contentType = Gen.OneOf<string?>(null, "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", ";;");
        var auth = Gen.OneOf<string?>(null, "Bearer TOKEN", "Bearer TOKEN", "Bearer TOKEN", "bearer TOKEN", "Bearer TOKENx", "Bearer ", "Basic dXNlcjpwYXNz", "TOKEN");
        var host = Gen.OneOf<string?>(null, null, "localhost", $"localhost:{port}", "127.0.0.1", "[::1]", "evil.example", $"evil.example:{port}", "127.0.0.1.nip.io", "0", "[::ffff:127.0.0.1]");
        var origin = Gen.OneOf<string?>(null, null, null, "null", "http://evil.example", $"http://localhost:{port}");
        var method = Gen.Frequency((4, Gen.Const("POST")), (4, Gen.OneOf(Methods)));
        var random = Gen.Select(method, path, body, contentType, auth, host, origin, Gen.Bool)
            .Select(t => new FuzzRequest(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8));
        // Random requests are almost all refused; one in ten is a well-formed read, so that every run reaches the
        // accepting side too and a run's seed cannot decide whether the test passes.
        var wellFormed = Gen.Select(Gen.OneOf(Gen.OneOf("napi", "dev", "dev/fq0", "stats", "softnet_stat", "metrics"), Gen.OneOf(ids).Select(i => $"napi/{i}")), Gen.Bool)
            .Select(t => new FuzzRequest("GET", t.Item1, null, null, "Bearer TOKEN", null, null, t.Item2));
        return Gen.Frequency((9, random), (1, wellFormed));
    }

    private sealed record FuzzRequest(string Method, string Path, byte[]? Body, string? ContentType, string? Auth, string? Host, string? Origin, bool OverHttp)
    {
        public override string ToString() =>
            $"{Method} /{Path} over {(OverHttp ? "http" : "unix")} auth={Auth ?? "-"} host={Host ?? "-"} origin={Origin ?? "-"} type={ContentType ?? "-"} body={(Body is null ? "-" : Encoding.UTF8.GetString(Body))}";
    }
}
