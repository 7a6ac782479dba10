namespace Softnet.Tests.Admin;

/// <summary>IRQ deferral (defer-hard-irqs with gro-flush-timeout) set through the admin API on a threaded NAPI.</summary>
[Collection(AdminCollection.Name)]
public sealed class DeferredCompletionTests
{
    /// <summary>
    /// Engine bug: NapiWatchdogs.Arm skips waking the CPU's softirq thread whenever the caller holds that CPU's
    /// bottom half — true for a NAPI thread's poll too, not only for the softirq thread that re-reads the deadline
    /// before sleeping — so the watchdog is never run and the masked queue stalls until unrelated work wakes the CPU.
    /// </summary>
    [Fact]
    public async Task AThreadedNapiWithDeferredIrqsIsRepolledByItsWatchdog()
    {
        await using var h = await AdminHarness.StartAsync();
        var napi = h.Device.Napis[0];
        await h.Ok("napi", "set", $"{napi.Id}", "--threaded", "enabled", "--defer-hard-irqs", "1", "--gro-flush-timeout", "1000000");

        // The first packet's completion masks the queue and arms the 1 ms watchdog instead of re-arming the interrupt;
        // the second packet then waits for the watchdog, which must fire although every softirq thread is asleep.
        h.Device.Send(0, 0);
        await AdminHarness.Eventually(() => h.Delivery.Delivered == 1, "the first packet");
        h.Device.Send(0, 1);
        await h.AssertAccounted(2);
    }
}
