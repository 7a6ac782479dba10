namespace Softnet.Core;

/// <summary>
/// A device with transmissions batched per CPU (replies queued by handlers). The CPU flushes it once at the end of
/// the poll round that queued them, as NET_TX runs after NET_RX, so a batch of replies costs one send call.
/// </summary>
internal interface ITxFlush
{
    void FlushTx(SoftnetData cpu);
}
