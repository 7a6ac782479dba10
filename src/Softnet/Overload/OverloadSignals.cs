namespace Softnet.Overload;

/// <summary>
/// What an overload level is made of, each signal scaled so that 1 means "at capacity": backlog utilisation (input
/// queue length / netdev_max_backlog), socket receive-queue fill (bytes queued / receive buffer), socket drops (the
/// share of a period's arrivals the kernel dropped, against the 0.1% that still counts as loss-free), time_squeeze
/// (the share of net_rx_action passes cut short) and CPU share (polling time in a period against the share the
/// stack may use). The level is the highest of them.
/// </summary>
public readonly record struct OverloadSignals(double Backlog, double SocketFill, double Drops, double Squeeze, double CpuShare)
{
    /// <summary>A drop fraction this high already counts as fully overloaded: past it, a receiver is no longer loss-free.</summary>
    public const double LossFreeDropFraction = 0.001;

    /// <summary>The overall level (0 = idle, 1 = at capacity): the highest of the individual signals.</summary>
    public double Level => Math.Max(Math.Max(Backlog, SocketFill), Math.Max(Math.Max(Drops, Squeeze), CpuShare));

    /// <summary>Scales a period's drop fraction: drops / (drops + packets read).</summary>
    public static double DropSignal(long drops, long packets) =>
        drops <= 0 ? 0 : Math.Min(1.0, (double)drops / (drops + Math.Max(0, packets)) / LossFreeDropFraction);
}
