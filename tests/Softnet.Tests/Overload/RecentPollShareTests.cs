using Softnet.Overload;

namespace Softnet.Tests.Overload;

/// <summary>
/// The CPU share over the last four tenths of a 10 ms period, on a clock the test moves: the window slides with the
/// clock rather than with whole tenths, and a poll counts for every tenth it ran in.
/// </summary>
public sealed class RecentPollShareTests
{
    private const long Us = 1_000;
    private const long Ms = 1_000_000;
    private const long Period = 10 * Ms;

    /// <summary>
    /// Polls of 100 µs back to back from 0.5 ms into a tenth: 3 ms later three quarters of the 4 ms window are busy, the
    /// watermark the overloaded state is entered at (0.675 of the CPU at a 90% share limit), without waiting for the
    /// tenth the clock is in to end; 4.5 ms after the first poll the whole window is.
    /// </summary>
    [Fact]
    public void ABusyCpu_ShowsAsTheWindowFills_NotAtTheNextWholeTenth()
    {
        var share = new RecentPollShare(Period, 0);
        long now = 500 * Us;
        for (; now < 3500 * Us; now += 100 * Us)
            share.Add(now, now + (100 * Us));
        Assert.Equal(0.75, share.Share(now), 3);
        for (; now < 5000 * Us; now += 100 * Us)
            share.Add(now, now + (100 * Us));
        Assert.Equal(1.0, share.Share(now), 3);
    }

    /// <summary>One poll round of 3 ms (a heavy handler, weight 64) counts as the three tenths it took, not one.</summary>
    [Fact]
    public void OneLongPoll_CountsForEveryTenthItRanIn()
    {
        var share = new RecentPollShare(Period, 0);
        share.Add(1000 * Us, 4000 * Us);
        Assert.Equal(0.75, share.Share(4000 * Us), 3);
    }

    /// <summary>A 2 ms burst slides out of the window as the clock moves on: half of it is left 3 ms after its end, none 4 ms after.</summary>
    [Fact]
    public void ABurst_SlidesOutOfTheWindow()
    {
        var share = new RecentPollShare(Period, 0);
        share.Add(2000 * Us, 4000 * Us);
        Assert.Equal(0.5, share.Share(4000 * Us), 3);
        Assert.Equal(0.25, share.Share(7000 * Us), 3);
        Assert.Equal(0.0, share.Share(8000 * Us), 3);
        Assert.Equal(0.0, share.Share(60 * Ms), 3);
    }

    /// <summary>
    /// A poll reported late, ending before the last one reported (two pollers of one CPU), still counts in the tenth it
    /// ran in, and no tenth counts more than its length: overlapping reports do not add up past a busy CPU.
    /// </summary>
    [Fact]
    public void LateAndOverlappingPolls_NeverCountMoreThanTheClock()
    {
        var share = new RecentPollShare(Period, 0);
        share.Add(3000 * Us, 4000 * Us);
        share.Add(2000 * Us, 3000 * Us);
        Assert.Equal(0.5, share.Share(4000 * Us), 3);
        share.Add(0, 4000 * Us);
        share.Add(0, 4000 * Us);
        Assert.Equal(1.0, share.Share(4000 * Us), 3);
    }

    /// <summary>A poll reported so late that it ended before the window counts nowhere, not in a newer tenth that took its place in the ring.</summary>
    [Fact]
    public void APollEndedBeforeTheWindow_CountsNowhere()
    {
        var share = new RecentPollShare(Period, 0);
        share.Add(10_000 * Us, 10_500 * Us);
        share.Add(1000 * Us, 1500 * Us);
        Assert.Equal(0.125, share.Share(10_500 * Us), 3);
    }
}
