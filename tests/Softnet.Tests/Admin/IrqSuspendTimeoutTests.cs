using System.Text.Json;

namespace Softnet.Tests.Admin;

/// <summary>irq-suspend-timeout is a NAPI config attribute: napi-set sets it, napi-get reports it, it survives a channel change.</summary>
[Collection(AdminCollection.Name)]
public sealed class IrqSuspendTimeoutTests
{
    [Fact]
    public async Task NapiSet_SetsIt_NapiGetReportsIt_AndTheConfigKeepsIt()
    {
        await using var h = await AdminHarness.StartAsync();
        var napi = h.Device.Napis[3];

        var set = await h.Ok("napi", "set", $"{napi.Id}", "--irq-suspend-timeout", "20000000");
        using var got = JsonDocument.Parse(await h.Http.GetStringAsync($"napi/{napi.Id}"));

        Assert.Contains("irq-suspend-timeout", set.Stdout);
        Assert.Equal(20_000_000, got.RootElement.GetProperty("irq-suspend-timeout").GetInt64());
        Assert.Equal(20_000_000, napi.IrqSuspendTimeoutNs);

        await h.Ok("channels", "set", "fq0", "--rx", "3");
        await h.Ok("channels", "set", "fq0", "--rx", "4");
        using var back = JsonDocument.Parse(await h.Http.GetStringAsync($"napi/{napi.Id}"));
        Assert.Equal(20_000_000, back.RootElement.GetProperty("irq-suspend-timeout").GetInt64());
    }

    [Fact]
    public async Task NegativeValue_IsAUsageErrorNamingTheOptionAndItsRange()
    {
        await using var h = await AdminHarness.StartAsync();
        var napi = h.Device.Napis[0];

        var refused = await h.Cli("napi", "set", $"{napi.Id}", "--irq-suspend-timeout", "-1");

        Assert.Equal(2, refused.Code);
        Assert.Contains("--irq-suspend-timeout must be an integer between 0 and 10000000000 (got '-1')", refused.Stderr);
        Assert.Equal(0, napi.IrqSuspendTimeoutNs);
    }
}
