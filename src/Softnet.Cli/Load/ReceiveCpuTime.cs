using System.Globalization;

namespace Softnet.Cli.Load;

/// <summary>
/// CPU time of this process's threads but the UDP load's senders (named <c>udp-load/N</c>), whose sendmmsg work is
/// the kernel's, not Softnet's. The loopback load's producers are counted: in softirq mode they run the receive
/// path inline after netif_rx, as a sending CPU does in the kernel. From
/// <c>/proc/self/task/*/schedstat</c> (nanoseconds on CPU) or, without schedstats, <c>/proc/self/task/*/stat</c>
/// (utime + stime in USER_HZ ticks of 10 ms). Taken before and after the measured window: threads that exit inside
/// it are not counted, so both readings are taken while the stack runs.
/// </summary>
internal sealed class ReceiveCpuTime
{
    private const long NsPerTick = 10_000_000;

    private readonly Dictionary<int, long> _start;

    private ReceiveCpuTime(Dictionary<int, long> start) => _start = start;

    /// <summary>Starts the window; null when /proc cannot be read.</summary>
    public static ReceiveCpuTime? Start() => Read() is { } start ? new ReceiveCpuTime(start) : null;

    /// <summary>CPU nanoseconds the receiving threads used since <see cref="Start"/>; null when /proc cannot be read.</summary>
    public long? Elapsed()
    {
        if (Read() is not { } now)
            return null;
        long total = 0;
        foreach (var (tid, ns) in now)
            total += ns - _start.GetValueOrDefault(tid);
        return total;
    }

    private static Dictionary<int, long>? Read()
    {
        var times = new Dictionary<int, long>();
        try
        {
            foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (!int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
                    continue;
                try
                {
                    string comm = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                    if (comm.StartsWith("udp-load/", StringComparison.Ordinal))
                        continue;
                    times[tid] = OnCpuNs(task);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The thread exited between the listing and the read.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return times;
    }

    private static long OnCpuNs(string task)
    {
        string schedstat = Path.Combine(task, "schedstat");
        if (File.Exists(schedstat))
            return long.Parse(File.ReadAllText(schedstat).Split(' ')[0], CultureInfo.InvariantCulture);
        // "pid (comm) state ...": utime and stime are fields 14 and 15, counted after the comm's closing parenthesis.
        string stat = File.ReadAllText(Path.Combine(task, "stat"));
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * NsPerTick;
    }
}
