using System.Globalization;
using System.Text;

namespace Softnet.Diagnostics;

/// <summary>
/// The <c>/proc/net/softnet_stat</c> format: a row per online CPU, 15 columns of 32-bit counters as <c>%08x</c>,
/// single spaces, in the kernel's column order (processed, dropped, time_squeeze, five legacy zeros, a legacy zero,
/// received_rps, flow_limit_count, backlog length, CPU id, input queue length, process queue length).
/// </summary>
public static class SoftnetStat
{
    /// <summary>softnet_stat's CPU id column (0-based); the others come from <see cref="SoftnetCounters.SoftnetStatColumns"/>.</summary>
    public const int CpuColumn = 12;

    /// <summary>The number of columns in a softnet_stat row.</summary>
    public const int Columns = 15;

    /// <summary>The snapshot as <c>/proc/net/softnet_stat</c> text: one line per online CPU.</summary>
    public static string Format(SoftnetSnapshot snapshot)
    {
        var sb = new StringBuilder();
        Span<long> cols = stackalloc long[Columns];
        foreach (var c in snapshot.Cpus)
        {
            if (!c.Online)
                continue;
            cols.Clear();
            foreach (var counter in SoftnetCounters.SoftnetStatColumns)
                cols[counter.SoftnetStatColumn!.Value] = counter.PerCpu!(c);
            cols[CpuColumn] = c.Cpu;
            for (int i = 0; i < cols.Length; i++)
            {
                if (i > 0)
                    sb.Append(' ');
                sb.Append(((uint)cols[i]).ToString("x8", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Parses softnet_stat text (the kernel's or Softnet's) into rows of column values.</summary>
    public static IReadOnlyList<uint[]> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ').Select(h => uint.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
}
