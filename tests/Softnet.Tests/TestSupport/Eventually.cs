using System.Diagnostics;

namespace Softnet.Tests.TestSupport;

/// <summary>Bounded waits: every wait in the tests ends, and a wait that runs out fails with what it waited for.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> if it never does.</summary>
    public static void True(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        if (!Holds(condition, timeout ?? Patience))
            Assert.Fail($"timed out waiting for: {what()}");
    }

    public static void True(Func<bool> condition, string what, TimeSpan? timeout = null) => True(condition, () => what, timeout);

    /// <summary>Whether <paramref name="condition"/> came to hold within <paramref name="timeout"/>.</summary>
    public static bool Holds(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var spin = default(SpinWait);
        while (!condition())
        {
            if (clock.Elapsed > timeout)
                return condition();
            if (spin.NextSpinWillYield && spin.Count > 50)
                Thread.Sleep(1);
            else
                spin.SpinOnce();
        }
        return true;
    }

    /// <summary>Waits for an event with a bound; fails the test if it is not set in time.</summary>
    public static void Set(ManualResetEventSlim e, string what)
    {
        if (!e.Wait(Patience))
            Assert.Fail($"timed out waiting for: {what}");
    }
}
