using System.Runtime.InteropServices;

namespace Softnet.StatsD;

/// <summary>
/// One set's members, each stamped with the last interval it was seen in. A member seen again in a later interval is
/// restamped rather than added anew, so a steady set allocates nothing; members missing from an interval are removed
/// at its flush, so memory follows the live members.
/// </summary>
internal sealed class SetMembers
{
    private readonly Dictionary<string, long> _lastSeen = new(StringComparer.Ordinal);

    public int Distinct { get; private set; }

    public void Add(ReadOnlySpan<char> member, long interval)
    {
        ref long seen = ref CollectionsMarshal.GetValueRefOrAddDefault(_lastSeen.GetAlternateLookup<ReadOnlySpan<char>>(), member, out _);
        if (seen != interval)
        {
            seen = interval;
            Distinct++;
        }
    }

    /// <summary>Ends <paramref name="interval"/>: returns its distinct count and forgets members it did not see.</summary>
    public int TakeDistinct(long interval)
    {
        foreach (var (member, seen) in _lastSeen)
        {
            if (seen != interval)
                _lastSeen.Remove(member);
        }

        int distinct = Distinct;
        Distinct = 0;
        return distinct;
    }
}
