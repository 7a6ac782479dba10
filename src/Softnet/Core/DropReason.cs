namespace Softnet.Core;

/// <summary>Why a packet was not delivered. Every packet that enters the stack is delivered or counted under one of these.</summary>
public enum DropReason
{
    /// <summary>The target CPU's backlog was over netdev_max_backlog (kernel: CPU_BACKLOG).</summary>
    Backlog,

    /// <summary>Flow limit: one flow held more than half of the recent arrivals while the backlog was half full.</summary>
    FlowLimit,

    /// <summary>The handler threw while the packet's batch was being delivered.</summary>
    Handler,

    /// <summary>Queued when the stack shut down.</summary>
    Shutdown,

    /// <summary>The device was not running (kernel: DEV_READY); not part of softnet_stat's dropped column.</summary>
    DeviceDown,

    /// <summary>The socket's receive buffer overflowed before SoftnetData could read it (SO_RXQ_OVFL).</summary>
    Socket,

    /// <summary>The packet could not be parsed by the device.</summary>
    Malformed,

    /// <summary>The packet pool was exhausted.</summary>
    NoMemory,

    /// <summary>The device's early-drop filter dropped it in the poll, before RPS and the backlog.</summary>
    EarlyDrop,

    /// <summary>
    /// Shed by the kernel while the device was overloaded: its reuseport program sent the datagram to the device's
    /// shed socket, which refuses everything, before any receive buffer (counted from that socket's sk_drops).
    /// </summary>
    Shed,
}

/// <summary>Names for <see cref="DropReason"/> as they appear in reports and metrics.</summary>
public static class DropReasons
{
    /// <summary>The number of drop reasons, for arrays indexed by <see cref="DropReason"/>.</summary>
    public const int Count = (int)DropReason.Shed + 1;

    private static readonly string[] Names =
        ["backlog", "flow_limit", "handler", "shutdown", "device_down", "socket", "malformed", "nomem", "early_drop", "shed"];

    /// <summary>The reason's name as reports and metrics spell it (<c>backlog</c>, <c>flow_limit</c>, ...).</summary>
    public static string Name(this DropReason reason) => Names[(int)reason];

    /// <summary>Every drop reason, in declaration order.</summary>
    public static IEnumerable<DropReason> All => Enum.GetValues<DropReason>();
}
