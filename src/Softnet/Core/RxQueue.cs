using Softnet.Steering;

namespace Softnet.Core;

/// <summary>One RX queue of a device, with its rps_cpus.</summary>
public sealed class RxQueue
{
    internal RxQueue(int index, int[] rpsCpus)
    {
        Index = index;
        Rps = rpsCpus.Length > 0 ? new RpsMap(rpsCpus) : null;
    }

    /// <summary>The queue's index on its device.</summary>
    public int Index { get; }

    /// <summary>The queue's RPS map; null when RPS is off for it. Replaced atomically.</summary>
    public RpsMap? Rps { get; set; }
}
