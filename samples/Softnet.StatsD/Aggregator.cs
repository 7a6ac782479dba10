using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Unicode;

namespace Softnet.StatsD;

/// <summary>
/// The metrics of the current flush interval. Datagrams are parsed straight from the packet's bytes and names are
/// looked up as stack-allocated characters (the dictionaries' span lookups), so a datagram whose names and set
/// members were seen before allocates nothing. One lock guards the state: a gauge's deltas must apply in the order of
/// the set they follow and percentiles need every value, and the lock is taken once per batch, not per line.
/// </summary>
public sealed class Aggregator
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, double> _counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _gauges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimerValues> _timers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SetMembers> _sets = new(StringComparer.Ordinal);
    private readonly long[] _drops = new long[LineDrops.Count];
    private long _datagrams;
    private long _lines;

    /// <summary>The current flush interval's number, starting at 1 so a new set member (stamped 0) is never current.</summary>
    private long _interval = 1;

    /// <summary>Aggregates one datagram.</summary>
    public void Record(ReadOnlySpan<byte> datagram)
    {
        lock (_sync)
            RecordLocked(datagram);
    }

    /// <summary>Aggregates the datagrams of one batch under a single acquisition of the lock.</summary>
    public void Record(ReadOnlySpan<Core.Packet> batch)
    {
        lock (_sync)
        {
            foreach (var packet in batch)
                RecordLocked(packet.Data);
        }
    }

    /// <summary>Ends the interval: returns its aggregates and resets counters, timers and sets (gauges keep their value).</summary>
    public FlushResult Flush(DateTimeOffset at)
    {
        lock (_sync)
        {
            var counters = _counters.ToList();
            foreach (var (name, _) in counters)
                _counters[name] = 0;
            var timers = new List<TimerSummary>();
            foreach (var (name, values) in _timers)
            {
                if (values.TakeSummary(name) is { } summary)
                    timers.Add(summary);
            }

            var sets = new List<KeyValuePair<string, int>>();
            foreach (var (name, members) in _sets)
            {
                int distinct = members.TakeDistinct(_interval);
                if (distinct > 0)
                    sets.Add(new(name, distinct));
            }

            _interval++;

            return new FlushResult(at, counters, _gauges.ToList(), timers, sets, StatsLocked());
        }
    }

    /// <summary>The line accounting so far.</summary>
    public LineStats Stats()
    {
        lock (_sync)
            return StatsLocked();
    }

    private LineStats StatsLocked() => new(_datagrams, _lines, (long[])_drops.Clone());

    private void RecordLocked(ReadOnlySpan<byte> datagram)
    {
        _datagrams++;
        while (!datagram.IsEmpty)
        {
            int newline = datagram.IndexOf((byte)'\n');
            var line = newline < 0 ? datagram : datagram[..newline];
            datagram = newline < 0 ? default : datagram[(newline + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
                line = line[..^1];
            if (line.IsEmpty)
                continue;
            var drop = LineParser.TryParse(line, out var metric);
            if (drop == LineDrop.None)
                drop = Apply(metric);
            if (drop == LineDrop.None)
                _lines++;
            else
                _drops[(int)drop]++;
        }
    }

    private LineDrop Apply(MetricLine metric)
    {
        Span<char> nameBuffer = stackalloc char[LineParser.MaxNameBytes];
        if (Utf8.ToUtf16(metric.Name, nameBuffer, out _, out int length, replaceInvalidSequences: false) != OperationStatus.Done)
            return LineDrop.BadName;
        ReadOnlySpan<char> name = nameBuffer[..length];
        switch (metric.Kind)
        {
            case MetricKind.Counter:
                // value * (1 / rate), as Etsy's statsd scales it, so sampled counters agree to the last bit.
                CollectionsMarshal.GetValueRefOrAddDefault(_counters.GetAlternateLookup<ReadOnlySpan<char>>(), name, out _) += metric.Value * (1 / metric.SampleRate);
                break;
            case MetricKind.Timer:
                (CollectionsMarshal.GetValueRefOrAddDefault(_timers.GetAlternateLookup<ReadOnlySpan<char>>(), name, out _) ??= new TimerValues()).Add(metric.Value, metric.SampleRate);
                break;
            case MetricKind.Gauge:
                ref double gauge = ref CollectionsMarshal.GetValueRefOrAddDefault(_gauges.GetAlternateLookup<ReadOnlySpan<char>>(), name, out _);
                gauge = metric.IsDelta ? gauge + metric.Value : metric.Value;
                break;
            case MetricKind.Set:
                Span<char> memberBuffer = stackalloc char[LineParser.MaxNameBytes];
                if (Utf8.ToUtf16(metric.RawValue, memberBuffer, out _, out int memberLength, replaceInvalidSequences: false) != OperationStatus.Done)
                    return LineDrop.BadName;
                (CollectionsMarshal.GetValueRefOrAddDefault(_sets.GetAlternateLookup<ReadOnlySpan<char>>(), name, out _) ??= new SetMembers()).Add(memberBuffer[..memberLength], _interval);
                break;
        }

        return LineDrop.None;
    }
}
