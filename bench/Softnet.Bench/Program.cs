using System.Globalization;
using Softnet.Bench;
using Softnet.Core;

if (args.Length == 0 || args[0] is "--help" or "-h" || args.Skip(1).Any(a => a is "--help" or "-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return args.Length == 0 ? 2 : 0;
}
if (args[0] != "loopback")
{
    Console.Error.WriteLine($"Softnet.Bench: unknown benchmark '{args[0]}'; benchmarks: loopback");
    return 2;
}
BenchOptions options;
try
{
    options = BenchOptions.Parse(args[1..]);
}
catch (BenchUsageException e)
{
    Console.Error.WriteLine($"Softnet.Bench loopback: {e.Message}");
    return 2;
}

List<IContender> contenders =
[
    new SoftnetContender(KickMode.Softirq),
    new SoftnetContender(KickMode.BacklogThreads),
    .. options.Consumers.Select(form => new ChannelsContender(form)),
];
var results = contenders.Select(c => (Contender: c, Runs: new List<Measurement>())).ToList();

if (options.Warmup > 0)
{
    // The first runs pay for JIT tiering and for the pools and channels growing to their working size.
    foreach (var contender in contenders)
        Measure(contender, options.Warmup, "warm-up");
}
for (int round = 0; round < options.Rounds; round++)
{
    foreach (int i in RoundOrder(round))
    {
        var (contender, runs) = results[i];
        runs.Add(Measure(contender, options.Seconds, $"round {round + 1}"));
    }
}

if (options.RunsPath is { } path)
    File.WriteAllLines(path, RunLines());

Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"loopback, {options.Cpus} CPUs, {options.Producers} producers, {options.Flows} flows, {(options.Rate == 0 ? "as fast as possible" : $"{options.Rate:N0} pps offered")}, {options.Seconds} s × {options.Rounds} rounds (medians)"));
Console.WriteLine();
Console.Write(ResultTable.Format(results));
Console.WriteLine();
Console.Write(ResultTable.Ratios(results));
return results.All(r => r.Runs.All(m => m.Balanced)) ? 0 : 1;

// With one baseline it runs between the two Softnet contenders, so each Softnet run has the baseline run next to it
// (the pairs of the ratios), and the order reverses every round, so which of a pair runs first alternates. With more
// baselines each round starts with a different contender, so none always runs first or right after another.
IEnumerable<int> RoundOrder(int round)
{
    if (results.Count == 3)
        return round % 2 == 0 ? [0, 2, 1] : [1, 2, 0];
    return Enumerable.Range(0, results.Count).Select(i => (i + round) % results.Count);
}

IEnumerable<string> RunLines()
{
    foreach (var (contender, runs) in results)
    {
        for (int round = 0; round < runs.Count; round++)
        {
            var m = runs[round];
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"contender\":\"{contender.Name}\",\"round\":{round + 1},\"producers\":{options.Producers},\"rate\":{options.Rate},\"seconds\":{m.Seconds:F3},\"sent\":{m.Sent},\"delivered\":{m.Delivered},\"dropped\":{m.Dropped},\"pps\":{m.Pps:F0},\"cpu_ns_per_packet\":{m.CpuNsPerPacket:F1},\"alloc_bytes_per_packet\":{m.AllocBytesPerPacket:F4},\"p50_us\":{m.P50Us:F1},\"p99_us\":{m.P99Us:F1},\"out_of_order\":{m.OutOfOrder}}}");
        }
    }
}

Measurement Measure(IContender contender, int seconds, string label)
{
    // A clean heap per run, so one contender's garbage is not collected on another's time.
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var m = contender.Run(options, seconds);
    string wakeups = m.WakeupsPerPacket is { } w ? w.ToString("F6", CultureInfo.InvariantCulture) : "n/a";
    string ipis = m.Ipis is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "n/a";
    Console.Error.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{label,-9} {contender.Name,-30} {m.Pps,12:N0} pps  dropped {100.0 * m.Dropped / Math.Max(1, m.Sent),5:F1}%  wake-ups/packet {wakeups}  IPIs {ipis}  alloc {m.AllocBytesPerPacket:F4} B/packet  CPU {m.CpuNsPerPacket:F1} ns/packet  p50 {m.P50Us:F1} µs  p99 {m.P99Us:F1} µs  out of order {m.OutOfOrder}{(m.Balanced ? "" : "  UNBALANCED")}"));
    if (m.Threads is { } threads)
        Console.Error.Write(ThreadCpu.Format(threads, m.Delivered, seconds));
    return m;
}
