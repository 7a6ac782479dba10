using Softnet.Core;

namespace Softnet.Overload;

/// <summary>
/// One device queue's overload detector: its socket receive-queue fill (read after a poll that used its whole weight,
/// at most once per <see cref="FillReadIntervalNs"/> — one that did not has emptied the queue), the share of its
/// arrivals the kernel dropped, and the CPU share its polls took, per period. Its period is ended by the CPU that
/// polled it last. Updated by that CPU's tick and by the queue's own polls, which may run elsewhere, so under a lock of
/// its own.
/// </summary>
internal sealed class NapiOverload
{
    /// <summary>
    /// The shortest time between two fill reads after full polls. The read is a syscall (SO_MEMINFO): after every full
    /// poll it doubled the syscalls of a queue read flat out, one recvmmsg and one read per 64 datagrams. A fill this
    /// old is still fresh next to the detector's enter dwell (2 ms by default).
    /// </summary>
    internal const long FillReadIntervalNs = 250_000;

    private readonly OverloadControl _control;
    private readonly OverloadDetector _detector;
    private readonly Lock _gate = new();
    private readonly string[] _messages;
    private long _periodPollNs;
    private long _pollNsTotal;
    private long _packetsAtStart;
    private long _dropsAtStart = -1;
    private long _lastDrops = -1;
    private long _fillReadNs = long.MinValue / 2;
    private double _fill;
    private double _share;
    private double _maxShare;
    private double _dropSignal;
    private OverloadSignals _signals;

    public NapiOverload(Napi napi, OverloadControl control, long nowNs)
    {
        Napi = napi;
        _control = control;
        _detector = new OverloadDetector(control.Thresholds, nowNs);
        _packetsAtStart = napi.Packets;
        _messages = OverloadControl.TransitionMessages($"{napi.Device?.Name ?? "napi"} napi {napi.Id}");
    }

    public Napi Napi { get; }

    public OverloadState State => _detector.State;

    public double Level => _signals.Level;

    /// <summary>A poll of this queue ran from <paramref name="startNs"/> to <paramref name="endNs"/> and did <paramref name="work"/> of <paramref name="weight"/>.</summary>
    public void AccountPoll(long startNs, long endNs, int work, int weight)
    {
        lock (_gate)
        {
            long ns = Math.Max(0, endNs - startNs);
            _periodPollNs += ns;
            Volatile.Write(ref _pollNsTotal, _pollNsTotal + ns);
            if (work < weight)
                _fill = 0;
            else if (endNs - _fillReadNs >= FillReadIntervalNs)
                ReadFill(endNs);
            Evaluate(endNs);
        }
    }

    /// <summary>Ends the queue's period: reads its fill even when nothing polls it (a masked queue fills up), then its rates.</summary>
    public void Tick(long nowNs)
    {
        lock (_gate)
        {
            ReadFill(nowNs);
            _share = Math.Min(1.0, (double)_periodPollNs / _control.PeriodNs);
            _maxShare = Math.Max(_maxShare, _share);
            _dropSignal = DropSignal();
            Evaluate(nowNs);
            _periodPollNs = 0;
            _packetsAtStart = Napi.Packets;
            _dropsAtStart = _lastDrops;
        }
    }

    /// <summary>The view as of the detector's last evaluation, so it stands still while nothing happens.</summary>
    public OverloadInfo Info() =>
        _detector.Info(_signals, _share, _maxShare, Volatile.Read(ref _pollNsTotal), _control.StartNs, 0);

    private void ReadFill(long nowNs)
    {
        _fillReadNs = nowNs;
        if (!Napi.TryReadQueueFill(out var fill))
        {
            _fill = 0;
            return;
        }
        _fill = fill.Fill;
        _lastDrops = fill.Drops;
        if (_dropsAtStart < 0)
            _dropsAtStart = fill.Drops;
    }

    /// <summary>The running period's drop signal so far.</summary>
    private double DropSignal() =>
        OverloadSignals.DropSignal(_dropsAtStart < 0 ? 0 : _lastDrops - _dropsAtStart, Napi.Packets - _packetsAtStart);

    /// <summary>Feeds the detector: the fill as last read, the running period's drops so far or the last period's when higher, the last period's share.</summary>
    private void Evaluate(long nowNs)
    {
        double share = _share;
        _signals = new OverloadSignals(
            0,
            _fill,
            Math.Max(_dropSignal, DropSignal()),
            0,
            share / _control.ShareLimit);
        if (_detector.Update(_signals.Level, nowNs) is { } from)
        {
            _control.LogTransition(_messages, from, _detector.State, Napi.Budgeted);
            Napi.OnOverloadStateChanged();
        }
    }
}
