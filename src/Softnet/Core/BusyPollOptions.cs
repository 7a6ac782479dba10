namespace Softnet.Core;

/// <summary>
/// How a <see cref="BusyPoller"/> polls, as a socket's SO_BUSY_POLL / SO_BUSY_POLL_BUDGET / SO_PREFER_BUSY_POLL or an
/// epoll instance's EPIOCSPARAMS set it. Checked when the poller is created.
/// </summary>
public sealed record BusyPollOptions
{
    /// <summary>busy_read / busy_poll_usecs: how long one <see cref="BusyPoller.Poll"/> may spin waiting for packets; 0: one pass.</summary>
    public int BusyPollUsecs { get; init; } = 50;

    /// <summary>busy_poll_budget: packets one busy poll of a NAPI may process (the kernel's default, BUSY_POLL_BUDGET, is 8).</summary>
    public int BusyPollBudget { get; init; } = 8;

    /// <summary>
    /// prefer_busy_poll: a NAPI the softirq owns is asked to give way (PREFER_BUSY_POLL), and at the end of a poll the
    /// watchdog is armed with gro_flush_timeout instead of unmasking the queue when defer-hard-irqs and
    /// gro-flush-timeout are set, so the queue stays masked while the application keeps polling. If it stops for
    /// longer than gro_flush_timeout, the watchdog hands the NAPI back to the softirq.
    /// </summary>
    public bool PreferBusyPoll { get; init; }

    internal void Validate()
    {
        NetStackOptions.Range("busy_poll_usecs", BusyPollUsecs, 0, 1_000_000);
        NetStackOptions.Range("busy_poll_budget", BusyPollBudget, 1, ushort.MaxValue);
    }
}
