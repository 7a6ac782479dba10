namespace Softnet.Core;

/// <summary>Why a reply was not sent. Every reply a handler queues is sent or counted under one of these.</summary>
public enum TxDropReason
{
    /// <summary>The device was closed (or closing) when the reply was queued or flushed.</summary>
    DeviceClosed,

    /// <summary>The payload is larger than a packet buffer.</summary>
    TooBig,

    /// <summary>The kernel took fewer messages than were queued (sendmmsg failed or was short, kernel: TX_DROP).</summary>
    SendFailed,
}

/// <summary>Names for <see cref="TxDropReason"/> as they appear in reports and metrics.</summary>
public static class TxDropReasons
{
    /// <summary>The number of transmit drop reasons, for arrays indexed by <see cref="TxDropReason"/>.</summary>
    public const int Count = (int)TxDropReason.SendFailed + 1;

    private static readonly string[] Names = ["device_closed", "too_big", "send_failed"];

    /// <summary>The reason's name as reports and metrics spell it (<c>device_closed</c>, <c>too_big</c>, <c>send_failed</c>).</summary>
    public static string Name(this TxDropReason reason) => Names[(int)reason];

    /// <summary>Every transmit drop reason, in declaration order.</summary>
    public static IEnumerable<TxDropReason> All => Enum.GetValues<TxDropReason>();
}
