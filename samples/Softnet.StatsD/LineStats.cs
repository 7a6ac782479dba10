namespace Softnet.StatsD;

/// <summary>Cumulative accounting since start: every line received is aggregated or dropped with a reason.</summary>
public sealed record LineStats(long Datagrams, long Lines, IReadOnlyList<long> DropsByReason)
{
    /// <summary>Lines dropped for any reason.</summary>
    public long Dropped => DropsByReason.Sum();

    /// <summary>Lines dropped for <paramref name="reason"/>.</summary>
    public long Drops(LineDrop reason) => DropsByReason[(int)reason];
}
