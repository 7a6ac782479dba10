namespace Softnet.Load;

/// <summary>The flow hash a sender stamps on a flow's packets (the socket's txhash), derived from the flow id.</summary>
public static class FlowHash
{
    /// <summary>
    /// MurmurHash3's finalizer over the flow id: consecutive ids get unrelated hashes, so RPS's multiply-shift (which
    /// looks at the high bits) spreads them evenly. Never 0, because 0 means "no hash" and would disable RPS.
    /// </summary>
    public static uint Of(int flow)
    {
        uint h = (uint)flow + 0x9E3779B9u;
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        h ^= h >> 16;
        return h == 0 ? 1u : h;
    }
}
