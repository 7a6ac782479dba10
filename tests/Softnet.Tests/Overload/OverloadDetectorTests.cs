using Softnet.Overload;

namespace Softnet.Tests.Overload;

/// <summary>The overload state machine on a clock the test moves: watermarks, dwell times, hysteresis, time in state.</summary>
public sealed class OverloadDetectorTests
{
    private const long Ms = 1_000_000;

    private static readonly OverloadThresholds T = new()
    {
        PressuredHigh = 0.5,
        PressuredLow = 0.25,
        OverloadedHigh = 0.75,
        OverloadedLow = 0.5,
        EnterDwell = TimeSpan.FromMilliseconds(5),
        LeaveDwell = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>A detector that has just entered the state <paramref name="level"/> calls for: held there from 0 for the 5 ms enter dwell.</summary>
    private static OverloadDetector Entered(double level, OverloadThresholds? thresholds = null)
    {
        var d = new OverloadDetector(thresholds ?? T, 0);
        d.Update(level, 0);
        d.Update(level, 5 * Ms);
        return d;
    }

    [Fact]
    public void BelowThePressuredWatermark_StaysNormal()
    {
        var d = new OverloadDetector(T, 0);
        for (long t = 0; t <= 1000 * Ms; t += Ms)
            Assert.Null(d.Update(0.49, t));
        Assert.Equal(OverloadState.Normal, d.State);
        Assert.Equal(0, d.Transitions);
        Assert.Equal(1000 * Ms, d.TimeInStateNs(OverloadState.Normal, 1000 * Ms));
    }

    [Fact]
    public void EntersPressured_OnlyAfterTheDwell_AboveTheHighWatermark()
    {
        var d = new OverloadDetector(T, 0);
        Assert.Null(d.Update(0.6, 10 * Ms));
        Assert.Null(d.Update(0.6, 14 * Ms));
        Assert.Equal(OverloadState.Normal, d.State);

        Assert.Equal(OverloadState.Normal, d.Update(0.6, 15 * Ms));
        Assert.Equal(OverloadState.Pressured, d.State);
        Assert.Equal(1, d.Transitions);
    }

    [Fact]
    public void ADipBelowTheHighWatermark_RestartsTheDwell()
    {
        var d = new OverloadDetector(T, 0);
        d.Update(0.6, 0);
        d.Update(0.49, 4 * Ms);
        d.Update(0.6, 5 * Ms);
        Assert.Null(d.Update(0.6, 9 * Ms));
        Assert.Equal(OverloadState.Normal, d.State);
        Assert.Equal(OverloadState.Normal, d.Update(0.6, 10 * Ms));
        Assert.Equal(OverloadState.Pressured, d.State);
    }

    [Fact]
    public void AboveTheOverloadedWatermark_GoesStraightToOverloaded_AsOneTransition()
    {
        var d = new OverloadDetector(T, 0);
        d.Update(0.9, 0);
        Assert.Equal(OverloadState.Normal, d.Update(0.9, 5 * Ms));
        Assert.Equal(OverloadState.Overloaded, d.State);
        Assert.Equal(1, d.Transitions);
    }

    [Fact]
    public void BetweenTheWatermarks_TheStateHolds_InBothDirections()
    {
        var d = Entered(0.9);
        // 0.6 is under the overloaded high watermark but over its low one: no way down.
        for (long t = 6 * Ms; t <= 1000 * Ms; t += 10 * Ms)
            Assert.Null(d.Update(0.6, t));
        Assert.Equal(OverloadState.Overloaded, d.State);

        var p = Entered(0.6);
        // 0.3 is under pressured's high watermark but over its low one; 0.7 is under overloaded's high one.
        for (long t = 6 * Ms; t <= 1000 * Ms; t += 10 * Ms)
            Assert.Null(p.Update(t % 20 == 0 ? 0.3 : 0.7, t));
        Assert.Equal(OverloadState.Pressured, p.State);
    }

    [Theory]
    [InlineData(0.4, OverloadState.Pressured)]
    [InlineData(0.1, OverloadState.Normal)]
    public void LeavesOverloaded_AfterTheLeaveDwell_OneLevelOrStraightToNormal(double level, OverloadState expected)
    {
        var d = Entered(0.9);
        d.Update(level, 10 * Ms);
        Assert.Null(d.Update(level, 59 * Ms));
        Assert.Equal(OverloadState.Overloaded, d.Update(level, 60 * Ms));
        Assert.Equal(expected, d.State);
        Assert.Equal(2, d.Transitions);
    }

    [Fact]
    public void ABlipAboveTheLowWatermark_RestartsTheLeaveDwell()
    {
        var d = Entered(0.9);
        d.Update(0.1, 10 * Ms);
        d.Update(0.55, 40 * Ms);
        d.Update(0.1, 41 * Ms);
        Assert.Null(d.Update(0.1, 90 * Ms));
        Assert.Equal(OverloadState.Overloaded, d.State);
        Assert.Equal(OverloadState.Overloaded, d.Update(0.1, 91 * Ms));
        Assert.Equal(OverloadState.Normal, d.State);
    }

    [Fact]
    public void TimeInState_AddsUpExactly_OnTheControlledClock()
    {
        var d = new OverloadDetector(T, 100 * Ms);
        d.Update(0.6, 110 * Ms);
        d.Update(0.6, 115 * Ms);   // pressured from 115
        d.Update(0.8, 120 * Ms);
        d.Update(0.8, 125 * Ms);   // overloaded from 125
        d.Update(0.1, 200 * Ms);
        d.Update(0.1, 250 * Ms);   // normal from 250

        Assert.Equal(3, d.Transitions);
        Assert.Equal(15 * Ms + 50 * Ms, d.TimeInStateNs(OverloadState.Normal, 300 * Ms));
        Assert.Equal(10 * Ms, d.TimeInStateNs(OverloadState.Pressured, 300 * Ms));
        Assert.Equal(125 * Ms, d.TimeInStateNs(OverloadState.Overloaded, 300 * Ms));
        Assert.Equal(250 * Ms, d.LastUpdateNs);
    }

    [Fact]
    public void OnOffLoad_ShorterThanTheLeaveDwell_KeepsTheStateSteady()
    {
        var d = new OverloadDetector(T, 0);
        // 20 ms at full load, 20 ms idle, for a second: entered once, never left.
        for (long t = 0; t < 1000 * Ms; t += Ms)
            d.Update((t / (20 * Ms)) % 2 == 0 ? 1.0 : 0.0, t);
        Assert.Equal(OverloadState.Overloaded, d.State);
        Assert.Equal(1, d.Transitions);
    }

    [Theory]
    [InlineData(0.5, 0.5, 0.75, 0.5)]
    [InlineData(0.5, 0.25, 0.4, 0.3)]
    [InlineData(0.5, 0.25, 0.75, 0.8)]
    [InlineData(0.5, -0.1, 0.75, 0.5)]
    public void InconsistentWatermarks_AreRefused(double pressuredHigh, double pressuredLow, double overloadedHigh, double overloadedLow)
    {
        var t = new OverloadThresholds { PressuredHigh = pressuredHigh, PressuredLow = pressuredLow, OverloadedHigh = overloadedHigh, OverloadedLow = overloadedLow };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OverloadDetector(t, 0));
        Assert.Contains("OverloadThresholds", e.Message);
    }

    /// <summary>
    /// Flap damping: entered again within the flap window of the last fall, the state takes four times the leave dwell
    /// to leave, then sixteen times up to the maximum; entered again after a calm longer than the window, the configured dwell again.
    /// </summary>
    [Fact]
    public void ReenteringSoonAfterLeaving_MultipliesTheLeaveDwell_AndCalmResetsIt()
    {
        var d = new OverloadDetector(T, 0);
        long t = 0;
        long Cycle()
        {
            d.Update(1.0, t);
            d.Update(1.0, t += 5 * Ms);
            Assert.Equal(OverloadState.Overloaded, d.State);
            long from = t += Ms;
            d.Update(0.0, from);
            while (d.State != OverloadState.Normal)
                d.Update(0.0, t += Ms);
            return t - from;
        }

        Assert.Equal(50 * Ms, Cycle());
        Assert.Equal(200 * Ms, Cycle());
        Assert.Equal(800 * Ms, Cycle());
        Assert.Equal(1000 * Ms, Cycle());
        Assert.Equal(1000 * Ms, d.LeaveDwellNs);
        t += 1001 * Ms;
        Assert.Equal(50 * Ms, Cycle());
    }

    /// <summary>
    /// A 100 ms on / 100 ms off load for 5 s with the default thresholds, sampled every millisecond, the level lagging
    /// the load by 5 ms on the way up (so it is low for 105 ms of every 200), either stepping straight to full load or
    /// ramping through the pressured level for <paramref name="rampMs"/>: the state is entered within the ramp and the
    /// enter dwell, left once in the first off phase, entered again and then held — at most one state change per
    /// second. A ramp shorter than the enter dwell (a CPU share averaged over a few milliseconds climbs like that) goes
    /// straight to overloaded; one that settles in the pressured band for longer stops there on the way.
    /// </summary>
    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 3)]
    [InlineData(10, 5)]
    public void OnOffLoadOf100Ms_ChangesTheStateAtMostOncePerSecond(int rampMs, int expected)
    {
        var d = new OverloadDetector(new OverloadThresholds(), 0);
        long firstOverloaded = -1;
        for (long t = 0; t < 5000 * Ms; t += Ms)
        {
            long phase = t % (200 * Ms);
            double level = phase >= 95 * Ms ? 0.0 : phase < rampMs * Ms ? 0.6 : 1.0;
            d.Update(level, t);
            if (firstOverloaded < 0 && d.State == OverloadState.Overloaded)
                firstOverloaded = t;
        }
        // Overloaded one enter dwell after the level reached 1.0 (at once, or after the ramp).
        long dwell = (long)new OverloadThresholds().EnterDwell.TotalNanoseconds;
        Assert.Equal(rampMs * Ms + dwell, firstOverloaded);
        Assert.Equal(expected, d.Transitions);
        Assert.Equal(OverloadState.Overloaded, d.State);
    }

    [Fact]
    public void ALevelPassingThroughThePressuredBand_WaitsForTheOverloadedDwell_NotStoppingInPressured()
    {
        var d = new OverloadDetector(T, 0);
        Assert.Null(d.Update(0.6, 0));
        Assert.Null(d.Update(0.8, 3 * Ms));
        // The pressured dwell has run, but the level is at the overloaded watermark: no stop in pressured.
        Assert.Null(d.Update(0.8, 5 * Ms));
        Assert.Equal(OverloadState.Normal, d.State);
        Assert.Equal(OverloadState.Normal, d.Update(0.8, 8 * Ms));
        Assert.Equal(OverloadState.Overloaded, d.State);
        Assert.Equal(1, d.Transitions);

        // Falling back into the band before the overloaded dwell ran: pressured, at once, since its own dwell has.
        var e = new OverloadDetector(T, 0);
        e.Update(0.6, 0);
        e.Update(0.8, 3 * Ms);
        Assert.Equal(OverloadState.Normal, e.Update(0.6, 6 * Ms));
        Assert.Equal(OverloadState.Pressured, e.State);
    }

    [Fact]
    public void ALevelFallingPastThePressuredBand_LeavesForNormal_AsOneChange()
    {
        var d = Entered(1.0);
        d.Update(0.4, 10 * Ms);
        d.Update(0.1, 30 * Ms);
        // The overloaded leave dwell has run, but the level is under the pressured low watermark too: no stop in pressured.
        Assert.Null(d.Update(0.1, 60 * Ms));
        Assert.Equal(OverloadState.Overloaded, d.Update(0.1, 80 * Ms));
        Assert.Equal(OverloadState.Normal, d.State);
        Assert.Equal(2, d.Transitions);

        // Back in the band before the pressured dwell ran: pressured, at once, since the overloaded one has.
        var e = Entered(1.0);
        e.Update(0.4, 10 * Ms);
        e.Update(0.1, 30 * Ms);
        Assert.Equal(OverloadState.Overloaded, e.Update(0.3, 60 * Ms));
        Assert.Equal(OverloadState.Pressured, e.State);
    }

    [Fact]
    public void FlapDamping_CanBeOff_AndItsBoundsAreChecked()
    {
        var d = Entered(1.0, T with { FlapWindow = TimeSpan.Zero });
        d.Update(0.0, 6 * Ms);
        d.Update(0.0, 56 * Ms);
        d.Update(1.0, 57 * Ms);
        d.Update(1.0, 62 * Ms);
        Assert.Equal(50 * Ms, d.LeaveDwellNs);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OverloadDetector(T with { MaxLeaveDwell = TimeSpan.FromMilliseconds(10) }, 0));
        Assert.Contains("MaxLeaveDwell", e.Message);
    }
}
