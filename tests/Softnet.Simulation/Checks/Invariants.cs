using Microsoft.Coyote.Specifications;
using Softnet.Core;
using Softnet.Overload;
using Softnet.Simulation.Platform;

namespace Softnet.Simulation.Checks;

/// <summary>
/// The protocol invariants, checked at the engine's hooks as each step happens: one poller per NAPI, polls only by the
/// SCHED owner under its CPU's bottom half, one bottom-half owner per CPU, no NAPI twice on a poll list, nothing listed
/// on a CPU after it was handed over, every packet rented and freed exactly once. The first violation is kept and ends
/// the run through the scheduler. It also fingerprints the order of protocol steps (the trace hash).
/// </summary>
/// <remarks>Only one controlled thread runs between scheduling points, so the bookkeeping needs no locks of its own.</remarks>
internal sealed class Invariants : IProtocolObserver
{
    private readonly Dictionary<Napi, NapiTrack> _napis = [];
    private readonly Dictionary<SoftnetData, int> _bhPoller = [];
    private readonly HashSet<Packet> _rented = [];
    private readonly HashSet<SoftnetData> _handedOver = [];
    private readonly Dictionary<OverloadDetector, OverloadModel> _overload = [];
    private ulong _hash = 14695981039346656037UL;

    /// <summary>The run whose threads are checked (<see cref="SimPlatform.Run"/>); 0 until the platform exists.</summary>
    public int Run { get; set; }

    /// <summary>When set, every protocol step is written here as it happens (<c>--steps</c> on one seed).</summary>
    public TextWriter? StepLog { get; init; }

    public InvariantViolation? Violation { get; private set; }

    public ulong TraceHash => _hash;

    public long Steps { get; private set; }

    /// <summary>Packets out of their pools right now.</summary>
    public int Outstanding => _rented.Count;

    public void Fail(string invariant, string detail)
    {
        // A thread of an abandoned run reporting into its old checker, or into this one: not this run's finding.
        if (Stale || !ReferenceEquals(ProtocolChecks.Observer, this))
            return;
        Violation ??= new InvariantViolation(invariant, detail);
        Specification.Assert(false, $"{invariant}: {detail}");
    }

    public void PollEnter(Napi napi, SoftnetData? cpu)
    {
        if (Stale)
            return;
        Mix(1, napi.Id, cpu?.Cpu ?? -1);
        var state = napi.State;
        var track = Track(napi);
        int me = Environment.CurrentManagedThreadId;
        if ((state & NapiState.Sched) == 0)
            Fail("sched-owner", $"{Describe(napi)} polled without SCHED ({state})");
        if (track.Poller != 0)
            Fail("one-poller", $"{Describe(napi)} polled by {Who()} while another thread still polls it ({state})");
        if (track.Listed)
            Fail("sched-owner", $"{Describe(napi)} polled by {Who()} while it waits on CPU {track.ListedOn}'s poll list ({state})");
        if (cpu is null || !cpu.Bh.IsHeldByCurrentThread)
            Fail("bh-owner", $"{Describe(napi)} polled by {Who()} without its CPU's bottom half");
        else if (_bhPoller.TryGetValue(cpu, out int other) && other != me)
            Fail("bh-owner", $"CPU {cpu.Cpu} has two bottom-half owners polling ({Describe(napi)} by {Who()})");
        if (IsNapiThread() && (state & (NapiState.SchedThreaded | NapiState.InBusyPoll)) == 0)
            Fail("sched-owner", $"{Describe(napi)} polled by its thread {Who()} without SCHED_THREADED ({state})");
        if (track.Rounds == 0 || track.ReleasedSinceLastPoll)
        {
            track.Rounds++;
            track.ReleasedSinceLastPoll = false;
        }
        track.Poller = me;
        if (cpu is not null)
            _bhPoller[cpu] = me;
    }

    public void PollExit(Napi napi)
    {
        if (Stale)
            return;
        Steps++;
        var track = Track(napi);
        int me = Environment.CurrentManagedThreadId;
        if (track.Poller == me)
            track.Poller = 0;
        if (BottomHalf.Current is { } cpu && _bhPoller.TryGetValue(cpu, out int owner) && owner == me)
            _bhPoller.Remove(cpu);
    }

    public void Released(Napi napi)
    {
        if (Stale)
            return;
        Mix(2, napi.Id, 0);
        var track = Track(napi);
        track.ReleasedSinceLastPoll = true;
        if (track.Poller == Environment.CurrentManagedThreadId)
            track.Poller = 0;
    }

    /// <summary>Ownership rounds of <paramref name="napi"/>: polls that started after a release (a new SCHED claim).</summary>
    public long RoundsOf(Napi napi) => Track(napi).Rounds;

    public void Listing(SoftnetData cpu, Napi napi)
    {
        if (Stale)
            return;
        Mix(3, napi.Id, cpu.Cpu);
        var track = Track(napi);
        if (track.Listed)
            Fail("poll-list-once", $"{Describe(napi)} put on CPU {cpu.Cpu}'s poll list while already on CPU {track.ListedOn}'s, by {Who()}");
        if ((napi.State & NapiState.Sched) == 0)
            Fail("poll-list-once", $"{Describe(napi)} put on CPU {cpu.Cpu}'s poll list without SCHED, by {Who()}");
        // Its own backlog is empty and unreachable while it is offline (packets follow the redirect); anything else
        // listed there waits for a poller that is parked.
        if (_handedOver.Contains(cpu) && napi != cpu.Backlog)
            Fail("no-lost-wakeup", $"{Describe(napi)} put on offline CPU {cpu.Cpu}'s poll list after its hand-over, by {Who()}: nothing polls it there");
        track.Listed = true;
        track.ListedOn = cpu.Cpu;
    }

    public void Unlisted(Napi napi)
    {
        if (Stale)
            return;
        Mix(4, napi.Id, 0);
        Track(napi).Listed = false;
    }

    public void Rented(ReadOnlySpan<Packet> packets)
    {
        if (Stale)
            return;
        foreach (var p in packets)
        {
            if (!_rented.Add(p))
                Fail("pool-balance", $"a packet of CPU {p.OwnerCpu}'s pool was handed out twice");
        }
    }

    public void Freed(ReadOnlySpan<Packet> packets)
    {
        if (Stale)
            return;
        foreach (var p in packets)
        {
            if (!_rented.Remove(p))
                Fail("pool-balance", $"a packet of CPU {p.OwnerCpu}'s pool was freed twice (or never handed out), by {Who()}");
        }
    }

    public void HandedOver(SoftnetData dead, SoftnetData to)
    {
        if (Stale)
            return;
        Mix(5, dead.Cpu, to.Cpu);
        if (dead.Backlog.InputLength + dead.Backlog.ProcessLength != 0)
            Fail("hotplug-handover", $"CPU {dead.Cpu} went offline with {dead.Backlog.InputLength + dead.Backlog.ProcessLength} packets left in its backlog");
        _handedOver.Add(dead);
    }

    public void TookBack(SoftnetData back, SoftnetData from)
    {
        if (Stale)
            return;
        Mix(6, back.Cpu, from.Cpu);
        _handedOver.Remove(back);
    }

    /// <summary>Mixes a scenario-level event (a fault, a delivery) into the trace hash.</summary>
    public void Mix(int kind, long a, long b)
    {
        if (Stale)
            return;
        StepLog?.WriteLine($"{Steps,6} {Who(),-20} {StepNames[kind],-10} {a} {b}");
        Steps++;
        _hash = (_hash ^ (ulong)kind) * 1099511628211UL;
        _hash = (_hash ^ (ulong)a) * 1099511628211UL;
        _hash = (_hash ^ (ulong)b) * 1099511628211UL;
    }

    private static readonly string[] StepNames = ["", "poll", "release", "list", "unlist", "offline", "online", "deliver", "fault"];

    public void OverloadUpdated(OverloadDetector detector, OverloadThresholds thresholds, double level, long nowNs, OverloadState from, OverloadState to)
    {
        if (Stale)
            return;
        if (!_overload.TryGetValue(detector, out var model))
            _overload[detector] = model = new OverloadModel();
        if (model.Check(thresholds, level, nowNs, from, to) is { } wrong)
            Fail("overload-hysteresis", wrong);
    }

    /// <summary>The calling thread belongs to an earlier seed's abandoned run.</summary>
    private bool Stale => SimPlatform.CurrentRun != Run;

    private static string Who() => SimPlatform.CurrentThreadName ?? $"scenario thread {Environment.CurrentManagedThreadId}";

    private static bool IsNapiThread() =>
        SimPlatform.CurrentThreadName is { } name && (name.StartsWith("napi/", StringComparison.Ordinal) || name.StartsWith("backlog_napi/", StringComparison.Ordinal));

    private static string Describe(Napi napi) => napi.Device is { } dev ? $"NAPI {napi.Id} ({dev.Name} queue {napi.Index})" : napi.Id != 0 ? $"NAPI {napi.Id}" : "a backlog NAPI";

    private NapiTrack Track(Napi napi)
    {
        if (!_napis.TryGetValue(napi, out var track))
            _napis[napi] = track = new NapiTrack();
        return track;
    }

    private sealed class NapiTrack
    {
        public int Poller;
        public long Rounds;
        public bool ReleasedSinceLastPoll;
        public bool Listed;
        public int ListedOn;
    }
}
