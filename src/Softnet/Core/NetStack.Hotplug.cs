namespace Softnet.Core;

/// <summary>
/// CPU hotplug. Offline hands the CPU's backlog, poll list and watchdogs to a surviving CPU (dev_cpu_dead) and parks
/// its threads; online unparks them. Both keep per-flow order: the hand-over happens under both queue locks, and a
/// returning CPU takes its flows back only after the survivor has delivered what it queued for them.
/// </summary>
public sealed partial class NetStack
{
    private readonly Lock _hotplug = new();

    /// <summary>Takes CPU <paramref name="cpu"/> offline. The last online CPU cannot go.</summary>
    public void SetCpuOffline(int cpu)
    {
        var dead = CheckCpu(cpu);
        lock (_hotplug)
        {
            if (!dead.Online)
                return;
            var to = _cpus.FirstOrDefault(c => c != dead && c.Online)
                ?? throw new InvalidOperationException($"CPU {cpu} is the last online CPU");
            // Interrupts first: a parked thread must not take one and list a NAPI on the CPU going away.
            foreach (var dev in Devices)
                dev.OnCpuOffline(dead, to);
            dead.Ksoftirqd.SetParked(true);
            if (dead.BacklogThread is { } bt)
                bt.Napi = null;
            bool schedule = false;
            lock (dead.Bh)
            {
                var (first, second) = dead.Cpu < to.Cpu ? (dead, to) : (to, dead);
                lock (first.Backlog.QueueLock)
                {
                    lock (second.Backlog.QueueLock)
                    {
                        dead.Online = false;
                        dead.Redirect = to;
                        dead.StandIn = to;
                        schedule = dead.Backlog.MoveTo(to.Backlog) > 0 && to.Backlog.TryClaimLocked();
                    }
                }
                dead.MigrateWorkTo(to);
                ProtocolChecks.HandedOver(dead, to);
            }
            foreach (var c in _cpus)
            {
                if (c.Redirect == dead)
                    c.Redirect = to;
                if (c.StandIn == dead)
                    c.StandIn = to;
            }
            if (schedule)
                to.ListAndRaise(to.Backlog);
        }
    }

    /// <summary>Brings CPU <paramref name="cpu"/> back online and unparks its threads.</summary>
    public void SetCpuOnline(int cpu)
    {
        var back = CheckCpu(cpu);
        lock (_hotplug)
        {
            if (back.Online)
                return;
            var from = back.Redirect!;
            long caughtUp;
            lock (from.Backlog.QueueLock)
            {
                // Its flows are steered here again from now on, but it stays parked, so they queue up behind…
                back.Online = true;
                foreach (var c in _cpus)
                {
                    if (c == back || c.Redirect == back)
                        c.Redirect = null;
                    // Senders on its OS CPU count as it again from the same instant (RPS off: their flows follow
                    // them), so what they send now queues behind the caught-up point too, not on the stand-in.
                    if (c == back || c.StandIn == back)
                        c.StandIn = null;
                }
                caughtUp = from.Backlog.Tail;
            }
            // …until the CPU that stood in has delivered what it had queued for them: no flow overtakes itself.
            for (int attempt = 0; from.Backlog.Head < caughtUp && attempt < 100_000; attempt++)
                Platform.Backoff(Math.Min(attempt, 25));
            ProtocolChecks.TookBack(back, from);
            back.ReopenPollList();
            back.Ksoftirqd.SetParked(false);
            if (back.BacklogThread is { } bt)
                bt.Napi = back.Backlog;
            foreach (var dev in Devices)
                dev.OnCpuOnline(back);
        }
    }

    private SoftnetData CheckCpu(int cpu)
    {
        if ((uint)cpu >= (uint)_cpus.Length)
            throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"CPU must be between 0 and {_cpus.Length - 1} (got {cpu})");
        return _cpus[cpu];
    }
}
