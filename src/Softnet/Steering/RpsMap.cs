namespace Softnet.Steering;

/// <summary>An RX queue's rps_cpus: the CPUs its flows are spread over, chosen by multiply-shift of the flow hash.</summary>
public sealed class RpsMap
{
    private readonly int[] _cpus;

    /// <summary>A map over <paramref name="cpus"/>, which must not be empty.</summary>
    public RpsMap(int[] cpus)
    {
        ArgumentOutOfRangeException.ThrowIfZero(cpus.Length);
        _cpus = cpus;
    }

    /// <summary>The CPUs of the map, in map order.</summary>
    public IReadOnlyList<int> Cpus => _cpus;

    /// <summary>get_rps_cpu's map step: <c>map[(hash × len) >> 32]</c>, so every flow sticks to one CPU.</summary>
    public int CpuFor(uint flowHash) => _cpus[(int)(((ulong)flowHash * (uint)_cpus.Length) >> 32)];
}
