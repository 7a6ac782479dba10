using System.Globalization;
using System.Text;

namespace Softnet.Bench;

/// <summary>
/// Where a run's CPU time went, thread by thread (<c>--threads</c>): each thread's time on a CPU
/// (<c>/proc/self/task/TID/schedstat</c>, nanoseconds) and its voluntary (it slept) and involuntary (it was preempted)
/// context switches (<c>/proc/self/task/TID/status</c>), read before and after the load and grouped by thread name.
/// A thread that exited during the load is missing from the difference; one that started counts from zero.
/// </summary>
internal static class ThreadCpu
{
    /// <summary>One thread's counters at one moment.</summary>
    public readonly record struct Sample(string Name, long RunNs, long SystemTicks, long Ticks, long Voluntary, long Involuntary);

    /// <summary>One thread name's share of a run.</summary>
    public readonly record struct Share(string Name, int Threads, long RunNs, long SystemTicks, long Ticks, long Voluntary, long Involuntary);

    /// <summary>Every thread of this process, by thread id.</summary>
    public static Dictionary<int, Sample> Take()
    {
        var samples = new Dictionary<int, Sample>();
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                int tid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                string name = File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n');
                long runNs = long.Parse(File.ReadAllText(Path.Combine(dir, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
                // utime and stime (clock ticks) follow the state, 11 fields after the parenthesised name.
                string[] stat = File.ReadAllText(Path.Combine(dir, "stat")).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                long user = long.Parse(stat[11], CultureInfo.InvariantCulture), system = long.Parse(stat[12], CultureInfo.InvariantCulture);
                long voluntary = 0, involuntary = 0;
                foreach (string line in File.ReadLines(Path.Combine(dir, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                        voluntary = long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        involuntary = long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                }
                samples[tid] = new Sample(name, runNs, system, user + system, voluntary, involuntary);
            }
            catch (IOException)
            {
                // The thread exited while we read it: it is not part of the difference.
            }
        }
        return samples;
    }

    /// <summary>The difference of two <see cref="Take"/>s grouped by thread name, the busiest first.</summary>
    public static IReadOnlyList<Share> Between(Dictionary<int, Sample> before, Dictionary<int, Sample> after)
    {
        var byName = new Dictionary<string, Share>();
        foreach (var (tid, now) in after)
        {
            var then = before.TryGetValue(tid, out var b) && b.Name == now.Name ? b : new Sample(now.Name, 0, 0, 0, 0, 0);
            byName.TryGetValue(now.Name, out var s);
            byName[now.Name] = new Share(
                now.Name,
                s.Threads + 1,
                s.RunNs + now.RunNs - then.RunNs,
                s.SystemTicks + now.SystemTicks - then.SystemTicks,
                s.Ticks + now.Ticks - then.Ticks,
                s.Voluntary + now.Voluntary - then.Voluntary,
                s.Involuntary + now.Involuntary - then.Involuntary);
        }
        return [.. byName.Values.Where(s => s.RunNs > 0 || s.Voluntary > 0).OrderByDescending(s => s.RunNs)];
    }

    /// <summary>
    /// A line per thread name and one for all: CPU per delivered packet, share of a CPU, the share of it spent in the
    /// kernel (from the tick-sampled utime and stime), and context switches per second.
    /// </summary>
    public static string Format(IReadOnlyList<Share> shares, long delivered, double seconds)
    {
        var sb = new StringBuilder();
        foreach (var s in shares)
            Line(sb, s, delivered, seconds);
        Line(sb, new Share("all", shares.Sum(s => s.Threads), shares.Sum(s => s.RunNs), shares.Sum(s => s.SystemTicks), shares.Sum(s => s.Ticks), shares.Sum(s => s.Voluntary), shares.Sum(s => s.Involuntary)), delivered, seconds);
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, Share s, long delivered, double seconds) =>
        sb.AppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"    {s.Name,-16} x{s.Threads,-2} {s.RunNs / Math.Max(1.0, delivered),7:F1} ns/packet  {s.RunNs / 1e9 / seconds,4:F2} CPU  kernel {(s.Ticks > 0 ? 100.0 * s.SystemTicks / s.Ticks : 0),3:F0}%  voluntary {s.Voluntary / seconds,8:N0}/s  involuntary {s.Involuntary / seconds,8:N0}/s"));
}
