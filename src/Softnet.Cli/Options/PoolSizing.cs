namespace Softnet.Cli.Options;

/// <summary>
/// How many packets each stack CPU preallocates. The library's default, 2048 buffers of 2 KiB per CPU, is sized for
/// a stack with one CPU per machine CPU; a stack with many more CPUs than the machine, or with 64 KiB buffers for
/// large datagrams, would preallocate gigabytes it cannot use. The commands keep the preallocation to what the
/// default costs on this machine (2048 × 2 KiB per machine CPU), at least 64 packets per stack CPU; pools still grow
/// on demand up to their limit.
/// </summary>
internal static class PoolSizing
{
    private const long DefaultPoolBytesPerMachineCpu = 2048L * 2048;

    public static int PacketsPerCpu(int stackCpus, int bufferSize)
    {
        long budget = DefaultPoolBytesPerMachineCpu * Environment.ProcessorCount;
        long perCpu = budget / ((long)stackCpus * bufferSize);
        return (int)Math.Clamp(perCpu, 64, 2048);
    }
}
