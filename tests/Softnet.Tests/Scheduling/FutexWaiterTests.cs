using Softnet.Scheduling;

namespace Softnet.Tests.Scheduling;

/// <summary>
/// The futex waiter spins before sleeping only while wakes come within a spin's length: a sleep no wake ended (a
/// timeout) or one rung long after it began makes the next wait sleep at once; a wake rung right after the owner went to
/// sleep brings the spin back.
/// </summary>
public sealed class FutexWaiterTests
{
    [Fact]
    public void Fresh_Spins_AndATimedOutSleep_MakesTheNextWaitSleepAtOnce()
    {
        using var waiter = new FutexWaiter();
        Assert.False(waiter.SleepsAtOnce);

        waiter.Wait(1_000_000);

        Assert.True(waiter.SleepsAtOnce);
    }

    [Fact]
    public void APermitTakenWithoutSleeping_LeavesTheChoiceAsItWas()
    {
        using var waiter = new FutexWaiter();
        waiter.Wait(1_000_000);
        Assert.True(waiter.SleepsAtOnce);

        Assert.False(waiter.Wake());
        waiter.Wait(-1);

        Assert.True(waiter.SleepsAtOnce);
    }

    [Fact]
    public void AWakeRungAsSoonAsTheOwnerSleeps_BringsTheSpinBack()
    {
        using var waiter = new FutexWaiter();
        waiter.Wait(1_000_000);
        Assert.True(waiter.SleepsAtOnce);

        // The waker rings as soon as it sees the owner asleep; a waker descheduled for longer than a spin lasts would
        // ring late, so a few attempts are allowed, each one a real sleep and wake.
        bool spinsAgain = false;
        for (int attempt = 0; attempt < 50 && !spinsAgain; attempt++)
        {
            using var done = new ManualResetEventSlim();
            var owner = new Thread(() =>
            {
                waiter.Wait(5_000_000_000);
                done.Set();
            });
            owner.Start();
            Assert.True(SpinWait.SpinUntil(() => waiter.Asleep, TimeSpan.FromSeconds(10)));
            bool rung = waiter.Wake();
            Assert.True(done.Wait(TimeSpan.FromSeconds(10)));
            owner.Join();
            spinsAgain = rung && !waiter.SleepsAtOnce;
        }

        Assert.True(spinsAgain);
    }
}
