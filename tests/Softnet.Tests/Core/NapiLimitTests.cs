using Softnet.Core;
using Softnet.Tests.Admin;

namespace Softnet.Tests.Core;

/// <summary>
/// The NAPI settings have one range for the library, the admin API and the CLI, and a deadline (now + delay) never
/// wraps into the past: a watchdog armed that way fired at once, forever, on an idle server.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed class NapiLimitTests
{
    [Theory]
    [InlineData(0L, long.MaxValue)]
    [InlineData(1_000_000_000L, long.MaxValue - 5)]
    [InlineData(long.MaxValue - 10, 100L)]
    public void ADeadlineSaturatesInsteadOfWrapping(long now, long delay)
    {
        long deadline = Deadline.After(now, delay);

        Assert.Equal(Deadline.Never, deadline);
        Assert.True(deadline > now);
    }

    [Fact]
    public void AnOrdinaryDeadlineIsNowPlusTheDelay() => Assert.Equal(1_020_000L, Deadline.After(1_000_000, 20_000));

    [Fact]
    public async Task AWatchdogArmedWithTheLongestDelayStaysInTheFuture()
    {
        await using var h = await AdminHarness.StartAsync();
        var napi = h.Device.Napis[0];

        h.Stack.ArmWatchdog(napi, long.MaxValue);

        Assert.Equal(Deadline.Never, napi.TimerDeadlineNs);
        Assert.True(napi.TimerDeadlineNs > h.Stack.Platform.NowNs());
        NetStack.CancelWatchdog(napi);
    }

    [Fact]
    public async Task TheLibraryAndTheAdminApiRefuseTheSameValues()
    {
        await using var h = await AdminHarness.StartAsync();
        var napi = h.Device.Napis[0];

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => h.Device.SetNapi(napi, groFlushTimeoutNs: NapiConfigRanges.GroFlushTimeoutNs.Max + 1));
        Assert.StartsWith("gro-flush-timeout must be between 0 and 10000000000", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Device.SetNapi(napi, deferHardIrqs: -1));

        // The request the CLI used to cap but the API took: now refused, naming the range, and nothing applied.
        using var refused = await h.Http.PostAsync($"napi/{napi.Id}", Json("""{"defer-hard-irqs":2147483647,"gro-flush-timeout":9223372036854775807}"""));
        Assert.Equal(400, (int)refused.StatusCode);
        Assert.Contains("gro-flush-timeout must be an integer from 0 to 10000000000", await refused.Content.ReadAsStringAsync());
        Assert.Equal((0, 0L), (napi.DeferHardIrqs, napi.GroFlushTimeoutNs));

        using var accepted = await h.Http.PostAsync($"napi/{napi.Id}", Json("""{"defer-hard-irqs":2147483647,"gro-flush-timeout":10000000000}"""));
        Assert.Equal(200, (int)accepted.StatusCode);
        Assert.Equal((int.MaxValue, 10_000_000_000L), (napi.DeferHardIrqs, napi.GroFlushTimeoutNs));
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
