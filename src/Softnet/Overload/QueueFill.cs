namespace Softnet.Overload;

/// <summary>A device queue's fill as the kernel accounts it (SO_MEMINFO): bytes queued, the buffer they count against, drops so far.</summary>
public readonly record struct QueueFill(long QueuedBytes, long BufferBytes, long Drops)
{
    /// <summary>The fraction of the buffer in use (0 when the buffer size is unknown).</summary>
    public double Fill => BufferBytes > 0 ? (double)QueuedBytes / BufferBytes : 0;
}
