using System.Globalization;
using System.Text;

namespace Softnet.Scheduling;

/// <summary>
/// OS CPU sets in the kernel's list format, as <c>isolcpus=</c>, <c>nohz_full=</c> and <c>taskset -c</c> take them
/// (<c>0</c>, <c>0-1,3</c>), checked against the CPUs the process may run on.
/// </summary>
public static class CpuList
{
    /// <summary>
    /// Parses <paramref name="text"/> for option <paramref name="option"/> into ascending OS CPUs; throws when it is
    /// empty or malformed, or names a CPU outside <paramref name="allowed"/> (offline, or outside the process's affinity).
    /// </summary>
    public static int[] Parse(string? text, IReadOnlyList<int> allowed, string option)
    {
        text = text?.Trim() ?? "";
        string range = Format(allowed);
        var set = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Steering.CpuMask.TryParseRange(part, out int lo, out int hi))
                throw new ArgumentException($"{option} must be a list of OS CPUs such as '0' or '0-1,3' within {range} (got '{text}')", option);
            for (int cpu = lo; cpu <= hi; cpu++)
            {
                if (!allowed.Contains(cpu))
                    throw new ArgumentOutOfRangeException(option, $"{option}: CPU {cpu} in '{text}' is offline or outside this process's affinity; allowed CPUs {range}");
                set.Add(cpu);
            }
        }
        return [.. set];
    }

    /// <summary>
    /// The housekeeping CPUs of <paramref name="text"/> and the packet threads' OS CPUs: <paramref name="allowed"/>
    /// without them. Throws naming <paramref name="option"/> when the list is bad or leaves no CPU for the packet threads.
    /// </summary>
    public static (int[] Housekeeping, int[] Packet) SplitHousekeeping(string text, IReadOnlyList<int> allowed, string option)
    {
        var housekeeping = Parse(text, allowed, option);
        var packet = allowed.Except(housekeeping).ToArray();
        if (packet.Length == 0)
            throw new ArgumentOutOfRangeException(option, $"{option}: '{text}' leaves no CPU for the packet threads; name a part of the allowed CPUs {Format(allowed)}");
        return (housekeeping, packet);
    }

    /// <summary>The list form of a CPU set: ascending ranges joined by commas (<c>0-1,3</c>).</summary>
    public static string Format(IEnumerable<int> cpus)
    {
        var sorted = cpus.Distinct().Order().ToArray();
        var text = new StringBuilder();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1)
                j++;
            if (text.Length > 0)
                text.Append(',');
            text.Append(CultureInfo.InvariantCulture, $"{sorted[i]}");
            if (j > i)
                text.Append(CultureInfo.InvariantCulture, $"-{sorted[j]}");
            i = j + 1;
        }
        return text.ToString();
    }
}
