using System.Net;
using System.Text;
using System.Text.Json;
using Softnet.Admin.Contract;

namespace Softnet.Tests.Admin;

/// <summary>Requests the server must refuse with a JSON error naming the problem — and without changing anything.</summary>
[Collection(AdminCollection.Name)]
public sealed class MalformedRequestTests
{
    [Fact]
    public async Task RefusedRequestsAnswerWithTheErrnoAndChangeNothing()
    {
        await using var h = await AdminHarness.StartAsync();
        int id = h.Device.Napis[0].Id;
        string before = await State(h);

        await Refused(h, "POST", $"napi/{id}", """{"threaded": """, 400, "EINVAL", "not valid JSON");
        await Refused(h, "POST", $"napi/{id}", "", 400, "EINVAL", "not valid JSON");
        await Refused(h, "POST", $"napi/{id}", "[1, 2]", 400, "EINVAL", "JSON object");
        await Refused(h, "POST", "napi/99999", """{"threaded": "enabled"}""", 404, "ENOENT", "99999");
        await Refused(h, "GET", "napi/99999", null, 404, "ENOENT", "99999");
        await Refused(h, "GET", "napi/abc", null, 400, "EINVAL", "id");
        await Refused(h, "POST", $"napi/{id}", """{"threaded": "fast"}""", 400, "EINVAL", "threaded must be one of disabled, enabled, busy-poll");
        await Refused(h, "POST", $"napi/{id}", """{"threaded": 3}""", 400, "EINVAL", "threaded");
        // Validated as a whole: a good threaded value next to a bad one is not applied either.
        await Refused(h, "POST", $"napi/{id}", """{"threaded": "enabled", "defer-hard-irqs": -1}""", 400, "EINVAL", "defer-hard-irqs");
        await Refused(h, "POST", $"napi/{id}", """{"threaded": "enabled", "gro-flush-timeout": 1.5}""", 400, "EINVAL", "gro-flush-timeout");
        await Refused(h, "POST", $"napi/{id}", """{"defer-hard-irqs": "2"}""", 400, "EINVAL", "defer-hard-irqs");
        await Refused(h, "POST", $"napi/{id}", """{"defer-hard-irqs": 4294967296}""", 400, "EINVAL", "defer-hard-irqs");
        await Refused(h, "POST", $"napi/{id}", """{"threaded": "enabled", "bogus": 1}""", 400, "EINVAL", "unknown attribute 'bogus'");
        await Refused(h, "POST", $"napi/{id}", """{"threaded": "enabled", "threaded": "enabled"}""", 400, "EINVAL", "twice");
        await Refused(h, "POST", "dev/fq0", """{"threaded": true}""", 400, "EINVAL", "threaded");
        await Refused(h, "POST", "dev/fq0", "{}", 400, "EINVAL", "threaded or state is required");
        await Refused(h, "POST", "dev/nope", """{"threaded": "enabled"}""", 404, "ENOENT", "nope");
        await Refused(h, "POST", "dev/lo", """{"threaded": "enabled"}""", 400, "EOPNOTSUPP", "lo has no NAPIs");
        await Refused(h, "POST", "dev/fq0/channels", """{"rx": 0}""", 400, "EINVAL", "rx must be an integer from 1 to 4");
        await Refused(h, "POST", "dev/fq0/channels", """{"rx": 5}""", 400, "EINVAL", "rx must be an integer from 1 to 4");
        await Refused(h, "POST", "dev/fq0/channels", """{"tx": 2}""", 400, "EINVAL", "unknown attribute 'tx'");
        await Refused(h, "POST", "dev/lo/channels", """{"rx": 1}""", 400, "EOPNOTSUPP", "fixed number of queues");
        await Refused(h, "POST", "cpu/7", """{"online": false}""", 404, "ENOENT", "no CPU 7");
        await Refused(h, "POST", "cpu/1", """{"online": "no"}""", 400, "EINVAL", "online must be true or false");
        await Refused(h, "GET", "nope", null, 404, "ENOENT", "no such endpoint");
        await Refused(h, "DELETE", $"napi/{id}", null, 404, "ENOENT", "no such endpoint: DELETE");
        await Refused(h, "POST", $"napi/{id}", $$"""{"threaded": "{{new string('x', 100_000)}}"}""", 413, "EINVAL", "too large");

        // Read through curl, the message's quotes are \" rather than \u0022.
        using var raw = await h.Http.PostAsync($"napi/{id}", new StringContent("""{"threaded": "fast"}"""));
        Assert.Contains("""(got \"fast\")""", await raw.Content.ReadAsStringAsync());

        Assert.Equal(before, await State(h));
        Assert.All(h.Device.Napis, n => Assert.Null(n.ThreadId));
        Assert.All(h.Stack.Snapshot().Cpus, c => Assert.True(c.Online));
    }

    [Fact]
    public async Task AcceptedRequestsAnswerWithTheNewState()
    {
        await using var h = await AdminHarness.StartAsync();
        int id = h.Device.Napis[1].Id;

        var napi = await Post(h, $"napi/{id}", """{"threaded": 1, "defer-hard-irqs": 3}""", AdminJsonContext.Default.NapiInfo);
        Assert.Equal(("enabled", 3, 1), (napi.Threaded, napi.DeferHardIrqs, napi.Irq));
        Assert.NotNull(napi.Pid);
        Assert.Equal(napi, JsonSerializer.Deserialize(await h.Http.GetStringAsync($"napi/{id}"), AdminJsonContext.Default.NapiInfo));

        var device = await Post(h, "dev/fq0/channels", """{"rx": 3}""", AdminJsonContext.Default.DeviceInfo);
        Assert.Equal(new ChannelsInfo(3, 4), device.Channels);
        Assert.Equal(3, device.Napis.Count);
        Assert.Equal(device.Napis.Order().Reverse(), device.Napis);

        var dumped = JsonSerializer.Deserialize(await h.Http.GetStringAsync($"napi?ifindex={h.Device.IfIndex}"), AdminJsonContext.Default.IReadOnlyListNapiInfo)!;
        Assert.Equal(device.Napis, dumped.Select(n => n.Id));
        Assert.Empty(JsonSerializer.Deserialize(await h.Http.GetStringAsync($"napi?ifindex={h.Loopback.IfIndex}"), AdminJsonContext.Default.IReadOnlyListNapiInfo)!);
    }

    private static async Task<string> State(AdminHarness h) =>
        await h.Http.GetStringAsync("napi") + await h.Http.GetStringAsync("dev");

    private static async Task<T> Post<T>(AdminHarness h, string path, string body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using var response = await h.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} {body}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize(text, type)!;
    }

    private static async Task Refused(AdminHarness h, string method, string path, string? body, int status, string errno, string mentions)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        // A body over the server's limit is refused from its Content-Length, and the connection closed: sent at once, it
        // could still be on its way then (a broken pipe instead of the answer). Asked first, it is never sent.
        request.Headers.ExpectContinue = body?.Length > 64 * 1024;
        using var response = await h.Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True((HttpStatusCode)status == response.StatusCode, $"{method} {path} {body}: {(int)response.StatusCode} {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        var error = JsonSerializer.Deserialize(text, AdminJsonContext.Default.AdminError)!;
        Assert.Equal(errno, error.Errno);
        Assert.Contains(mentions, error.Error);
    }
}
