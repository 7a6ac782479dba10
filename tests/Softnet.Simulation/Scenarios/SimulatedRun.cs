using System.Text;
using Microsoft.Coyote.Random;
using Softnet.Core;
using Softnet.Devices;
using Softnet.Simulation.Checks;
using Softnet.Simulation.Devices;
using Softnet.Simulation.Platform;

namespace Softnet.Simulation.Scenarios;

/// <summary>
/// One seed's run, inside the controlled scheduler: builds a stack on the simulated platform, starts the senders and
/// the fault thread, waits for quiescence (a bounded number of simulated time slices: one that never comes is a lost
/// wake-up), checks the accounting per CPU and per device, disposes, and checks the pools.
/// </summary>
internal sealed class SimulatedRun(ScenarioSpec spec, Invariants invariants)
{
    /// <summary>Simulated time slices the run may take to settle once the load is in.</summary>
    private const int QuiescenceSlices = 1_500;

    private readonly List<WorkNapi> _workNapis = [];
    private SimPlatform _platform = null!;
    private NetStack _stack = null!;
    private SimDevice? _device;
    private LoopbackDevice? _loopback;
    private Recorder _recorder = null!;
    private long _sent;

    /// <summary>Whether the run got to its end (a run cut short by the step bound did not).</summary>
    public bool Completed { get; private set; }

    public void Run()
    {
        _platform = new SimPlatform(spec.Cpus, Generator.Create());
        invariants.Run = _platform.Run;
        int flows = Math.Max(1, spec.Producers * spec.FlowsPerProducer);
        _recorder = new Recorder(invariants, flows, spec.Cpus, spec.HandlerThrowEvery) { CheckOrder = spec.CheckOrder };
        var options = new NetStackOptions
        {
            Cpus = spec.Cpus,
            Mode = spec.Mode,
            NetdevMaxBacklog = spec.NetdevMaxBacklog,
            NetdevBudget = spec.NetdevBudget,
            NetdevBudgetUsecs = spec.NetdevBudgetUsecs,
            DevWeight = spec.DevWeight,
            SkbDeferMax = spec.SkbDeferMax,
            PacketPoolSize = spec.PoolSize,
            PacketPoolLimit = spec.PoolLimit,
            PacketBufferSize = 64,
            RpsCpus = spec.Rps,
            Platform = _platform,
            Pin = true,
            ShutdownDrainTimeout = TimeSpan.FromMilliseconds(50),
            Log = _ => { },
            OnHandlerError = _ => { },
            Overload = spec.Overload,
            OverloadPeriod = TimeSpan.FromMilliseconds(1),
            OverloadCpuShare = 50,
            OverloadBudgetSlice = TimeSpan.FromMilliseconds(1),
            OverloadThresholds = Thresholds,
        };
        DriveDetector();
        _stack = new NetStack(options, _recorder.Handle);
        switch (spec.Kind)
        {
            case ScenarioKind.Napi:
                var napi = new WorkNapi(_stack, spec.Weight, invariants) { Id = NetStack.FirstNapiId };
                napi.Enable();
                if (spec.InitialThreaded != ThreadedMode.Disabled)
                    napi.SetThreadedMode(spec.InitialThreaded);
                _workNapis.Add(napi);
                break;
            case ScenarioKind.Loopback:
                _loopback = new LoopbackDevice(_stack);
                break;
            default:
                _device = new SimDevice(_stack, _platform, invariants, "sim0", spec.Queues, spec.MaxChannels, spec.Weight);
                break;
        }

        var threads = new List<Thread>();
        for (int p = 0; p < spec.Producers; p++)
        {
            int producer = p;
            threads.Add(_platform.StartScenarioThread(producer % spec.Cpus, () => Produce(producer)));
        }
        threads.Add(_platform.StartScenarioThread(-1, InjectFaults));
        foreach (var t in threads)
            t.Join();

        Settle();
        CheckAccounting(afterDispose: false);
        _device?.Dispose();
        _loopback?.Dispose();
        _stack.Dispose();
        CheckAccounting(afterDispose: true);
        if (invariants.Outstanding != 0)
            invariants.Fail("pool-balance", $"{invariants.Outstanding} packets never came back to their pools after dispose");
        Completed = true;
    }

    /// <summary>Short dwells and flap damping, so that simulated runs go through overload and back, and flap.</summary>
    private static readonly Overload.OverloadThresholds Thresholds = new()
    {
        EnterDwell = TimeSpan.FromMilliseconds(1),
        LeaveDwell = TimeSpan.FromMilliseconds(4),
        FlapWindow = TimeSpan.FromMilliseconds(20),
        MaxLeaveDwell = TimeSpan.FromMilliseconds(32),
    };

    /// <summary>
    /// Feeds the seed's levels to a stand-alone detector (the invariants compare every update with the specification)
    /// and checks that its time in each state adds up to the time it ran.
    /// </summary>
    private void DriveDetector()
    {
        if (spec.Levels.Count == 0)
            return;
        long start = _platform.NowNs(), now = start;
        var detector = new Overload.OverloadDetector(Thresholds, start);
        foreach (var (step, level) in spec.Levels)
        {
            now += step;
            detector.Update(level, now);
        }
        long total = detector.TimeInStateNs(Overload.OverloadState.Normal, now) + detector.TimeInStateNs(Overload.OverloadState.Pressured, now)
            + detector.TimeInStateNs(Overload.OverloadState.Overloaded, now);
        if (total != now - start)
            invariants.Fail("overload-time", $"the detector's time in its states adds up to {total} ns of {now - start} ns");
    }

    private void Produce(int producer)
    {
        int firstFlow = producer * spec.FlowsPerProducer;
        switch (spec.Kind)
        {
            case ScenarioKind.Napi:
                var napi = _workNapis[0];
                for (int i = 0; i < spec.PacketsPerProducer; i++)
                {
                    napi.Add();
                    napi.Kick();
                }
                break;
            case ScenarioKind.Loopback:
                var writer = new FlowWriter(firstFlow, spec.FlowsPerProducer);
                int total = spec.PacketsPerProducer * spec.FlowsPerProducer;
                for (int sent = 0; sent < total; sent += spec.Batch)
                {
                    int n = Math.Min(spec.Batch, total - sent);
                    _loopback!.Send(n, ref writer);
                    Interlocked.Add(ref _sent, n);
                }
                break;
            default:
                for (int i = 0; i < spec.PacketsPerProducer; i++)
                {
                    for (int f = 0; f < spec.FlowsPerProducer; f++)
                    {
                        if (_device!.Send(firstFlow + f, i))
                            Interlocked.Increment(ref _sent);
                    }
                }
                break;
        }
    }

    /// <summary>The fault thread: unpinned (so it migrates), it applies the seed's faults at scheduler-chosen moments.</summary>
    private void InjectFaults()
    {
        var gap = Generator.Create();
        foreach (var fault in spec.Faults)
        {
            for (int i = gap.NextInteger(6); i > 0; i--)
                Thread.Yield();
            invariants.Mix(8, (int)fault.Kind, fault.A);
            Apply(fault);
        }
        // Every CPU comes back, or disposal would wait on a parked CPU.
        for (int c = 0; c < spec.Cpus; c++)
            _stack.SetCpuOnline(c);
    }

    private void Apply(Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.Offline:
                if (Enumerable.Range(0, spec.Cpus).Count(c => _stack.Cpu(c).Online) > 1)
                    _stack.SetCpuOffline(fault.A);
                break;
            case FaultKind.Online:
                _stack.SetCpuOnline(fault.A);
                break;
            case FaultKind.Channels:
                _device?.SetChannels(fault.A);
                break;
            case FaultKind.DeviceThreaded:
                _device?.SetThreaded((ThreadedMode)fault.A);
                break;
            case FaultKind.NapiThreaded:
                if (_device is { } dev)
                {
                    if (dev.Napis.FirstOrDefault(n => n.Index == fault.A) is { } napi)
                        dev.SetNapi(napi, threaded: (ThreadedMode)fault.B);
                }
                else if (_workNapis.Count > 0)
                {
                    // A thread polling a NAPI without a device is the work NAPI's own business: no control lock to take.
                    if ((ThreadedMode)fault.B == ThreadedMode.BusyPoll)
                        _workNapis[0].CountCoreSchedule();
                    _workNapis[0].SetThreadedMode((ThreadedMode)fault.B);
                }
                break;
            case FaultKind.Deferral:
                if (_device is { } d && d.Napis.FirstOrDefault(n => n.Index == fault.A) is { } q)
                    d.SetNapi(q, deferHardIrqs: fault.B, groFlushTimeoutNs: 50_000);
                break;
            case FaultKind.PollThrow:
                if (_device is { } sd && sd.Queues.FirstOrDefault(x => x.Queue == fault.A) is { } sq)
                    sq.Fault = fault.B == 0 ? PollFault.BeforeWork : PollFault.AfterComplete;
                else if (_workNapis.Count > 0)
                    _workNapis[0].ThrowNext++;
                break;
            case FaultKind.DisableEnable:
                if (_workNapis.Count > 0)
                {
                    var w = _workNapis[0];
                    w.DisableChecked();
                    Thread.Yield();
                    w.EnableAndKick();
                }
                break;
            case FaultKind.ClockJump:
                _platform.Clock.Advance(fault.A * 1000L);
                break;
        }
    }

    /// <summary>Waits, in simulated time slices, until everything sent is delivered or counted; failing that, a lost wake-up.</summary>
    private void Settle()
    {
        for (int slice = 0; slice < QuiescenceSlices; slice++)
        {
            if (Accounted())
                return;
            _platform.Yield();
        }
        if (!Accounted())
            invariants.Fail("no-lost-wakeup", $"not quiescent after {QuiescenceSlices} simulated time slices with no new traffic: {Dump()}");
    }

    private bool Accounted()
    {
        if (spec.Kind == ScenarioKind.Napi)
            return _workNapis.All(n => n.Done == n.Added);
        return _recorder.Delivered + TotalDrops() == Volatile.Read(ref _sent);
    }

    private long TotalDrops()
    {
        long drops = 0;
        for (int c = 0; c < spec.Cpus; c++)
        {
            foreach (var reason in DropReasons.All)
                drops += _stack.Cpu(c).Counters.DropCount(reason);
        }
        return drops;
    }

    private void CheckAccounting(bool afterDispose)
    {
        if (spec.Kind == ScenarioKind.Napi)
        {
            // Schedule once: any number of schedules during a poll collapse into one MISSED, so there are never more
            // ownership rounds (polls after a release) than schedule calls; repolls of a full budget and busy polling
            // stay within one round.
            foreach (var w in _workNapis)
            {
                long rounds = invariants.RoundsOf(w);
                if (rounds > w.Schedules)
                    invariants.Fail("schedule-once", $"NAPI {w.Id}: {rounds} ownership rounds for {w.Schedules} schedules ({w.PollsStarted} polls)");
            }
            return;
        }
        long sent = Volatile.Read(ref _sent);
        long drops = TotalDrops();
        if (_recorder.Delivered + drops != sent)
            invariants.Fail("accounting", $"{(afterDispose ? "after dispose" : "at quiescence")}: sent {sent} != delivered {_recorder.Delivered} + drops {drops}");
        for (int c = 0; c < spec.Cpus; c++)
        {
            var cpu = _stack.Cpu(c);
            long handled = _recorder.OnCpu(c) + cpu.Counters.DropCount(DropReason.Handler);
            if (Volatile.Read(ref cpu.Counters.Processed) != handled)
                invariants.Fail("accounting", $"CPU {c}: processed {cpu.Counters.Processed} != delivered there {_recorder.OnCpu(c)} + handler drops {cpu.Counters.DropCount(DropReason.Handler)}");
        }
        if (_device is { } dev && !afterDispose)
        {
            long devDrops = dev.RxDropped + _recorder.ThrownFrom(dev);
            if (_recorder.DeliveredFrom(dev) + devDrops != sent)
                invariants.Fail("accounting", $"{dev.Name}: sent {sent} != delivered {_recorder.DeliveredFrom(dev)} + rx_dropped {dev.RxDropped} + handler drops {_recorder.ThrownFrom(dev)}");
        }
    }

    private string Dump()
    {
        var s = new StringBuilder();
        s.Append($"sent {Volatile.Read(ref _sent)}, delivered {_recorder.Delivered}, drops {TotalDrops()}");
        foreach (var w in _workNapis)
            s.Append($"; work NAPI added {w.Added} done {w.Done} state {w.State}");
        for (int c = 0; c < spec.Cpus; c++)
        {
            var cpu = _stack.Cpu(c);
            s.Append($"; cpu {c}{(cpu.Online ? "" : " offline")}: backlog {cpu.Backlog.InputLength}+{cpu.Backlog.ProcessLength} {cpu.Backlog.State}{(cpu.HasPendingSoftirq ? ", softirq pending" : "")}");
        }
        if (_device is { } dev)
        {
            foreach (var q in dev.Queues)
                s.Append($"; napi {q.Id} queue {q.Queue} on cpu {q.IrqCpu?.Cpu.ToString() ?? "-"}: {(q.IsEmpty ? "empty" : "not empty")}, {q.State}, polls {q.Polls}");
        }
        return s.ToString();
    }

    /// <summary>Fills loopback packets round-robin over the sender's flows, each flow numbered from 0.</summary>
    private struct FlowWriter(int firstFlow, int flows) : IPacketWriter
    {
        private readonly long[] _next = new long[flows];
        private int _turn;

        public void Write(int index, Packet packet)
        {
            int f = _turn++ % flows;
            FlowPacket.Write(packet, firstFlow + f, _next[f]++);
        }
    }
}
