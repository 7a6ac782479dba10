namespace Softnet.Cli.Options;

/// <summary>
/// How many packets each stack CPU preallocates. Where it fits in 32 MiB per machine CPU, each CPU gets the stack's
/// in-flight bound per CPU (<see cref="Softnet.Core.NetStackOptions.InFlightPacketsPerCpu"/> plus its share of the devices'
/// receive rings), so no flood makes a pool allocate (the pools lend to each other). Otherwise — a stack with many
/// more CPUs than the machine, or 64 KiB buffers for large datagrams, would preallocate gigabytes it cannot use — the
/// preallocation stays within what the library's default costs on this machine (2048 × 2 KiB per machine CPU), at
/// least 64 packets per stack CPU, and pools grow on demand up to their limit.
/// </summary>
internal static class PoolSizing
{
    private const long DefaultPoolBytesPerMachineCpu = 2048L * 2048;

    private const long InFlightBytesPerMachineCpu = 32L << 20;

    /// <summary>Packets per CPU for a stack of <paramref name="stackCpus"/> CPUs keeping up to <paramref name="inFlightPerCpu"/> packets each out of its pool.</summary>
    public static int PacketsPerCpu(int stackCpus, int bufferSize, int inFlightPerCpu)
    {
        long budget = DefaultPoolBytesPerMachineCpu * Environment.ProcessorCount;
        long perCpu = budget / ((long)stackCpus * bufferSize);
        int capped = (int)Math.Clamp(perCpu, 64, 2048);
        bool bounded = (long)stackCpus * inFlightPerCpu * bufferSize <= InFlightBytesPerMachineCpu * Environment.ProcessorCount;
        return bounded ? Math.Max(capped, inFlightPerCpu) : capped;
    }

    /// <summary>
    /// A UDP device's receive rings per stack CPU: <paramref name="queues"/> queues (0: one per CPU) of
    /// <paramref name="weight"/> slots, io_uring's holding two polls' worth, spread over the CPUs.
    /// </summary>
    public static int RxRingPackets(int stackCpus, int queues, int weight, bool ioUring)
    {
        int perCpu = ((queues == 0 ? stackCpus : queues) + stackCpus - 1) / stackCpus;
        return perCpu * weight * (ioUring ? 2 : 1);
    }
}
