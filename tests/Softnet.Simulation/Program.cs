using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Softnet.Simulation;

// The deterministic simulation runner: every seed is one scenario under Coyote's seeded scheduler, with faults and
// invariants checked at each step. Exit 0 only when no invariant broke.
RunnerOptions options;
try
{
    options = RunnerOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"softnet-sim: {e.Message}");
    return 2;
}

var clock = Stopwatch.StartNew();
var failures = new List<(long Seed, SeedResult Result)>();
var byInvariant = new SortedDictionary<string, int>(StringComparer.Ordinal);
int ran = 0;
for (long seed = options.FirstSeed; ran < options.Seeds; seed++)
{
    if (options.Family is { } family and not "overload" && !options.Single && Softnet.Simulation.Scenarios.ScenarioSpec.FromSeed(seed).Family != family)
        continue;
    ran++;
    var result = SeedRunner.Run(seed, options.Plant, options.StepLog && options.Single ? Console.Out : null, options.Family);
    if (options.Single && !options.Json)
        Console.WriteLine($"seed {seed}: {result.Spec.Describe()}; faults: {result.Spec.DescribeFaults()}; trace {result.TraceHash:x16}");
    if (!result.Failed)
        continue;
    failures.Add((seed, result));
    byInvariant[result.Invariant!] = byInvariant.GetValueOrDefault(result.Invariant!) + 1;
    if (!options.Json)
    {
        Console.WriteLine($"seed {seed}");
        Console.WriteLine($"  invariant: {result.Invariant}: {result.Detail}");
        Console.WriteLine($"  scenario:  {result.Spec.Describe()}");
        Console.WriteLine($"  faults:    {result.Spec.DescribeFaults()}");
        Console.WriteLine($"  trace {result.TraceHash:x16}");
        Console.WriteLine($"  replay:    dotnet run -c Release --project tests/Softnet.Simulation -- --seed {seed}{(options.Family == "overload" ? " --family overload" : "")}{(options.Plant is null ? "" : $" --plant {options.Plant}")}");
    }
}
double seconds = clock.Elapsed.TotalSeconds;
if (options.Json)
{
    var json = new
    {
        seeds = options.Seeds,
        first_seed = options.FirstSeed,
        plant = options.Plant,
        failed = failures.Count,
        seconds = Math.Round(seconds, 2),
        seeds_per_second = Math.Round(options.Seeds / seconds, 1),
        failures = failures.Select(f => new
        {
            seed = f.Seed,
            invariant = f.Result.Invariant,
            detail = f.Result.Detail,
            scenario = f.Result.Spec.Describe(),
            faults = f.Result.Spec.DescribeFaults(),
            trace = f.Result.TraceHash.ToString("x16"),
        }),
    };
    Console.WriteLine(JsonSerializer.Serialize(json, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
}
else
{
    string summary = byInvariant.Count == 0 ? "" : " (" + string.Join(", ", byInvariant.Select(kv => $"{kv.Key} {kv.Value}")) + ")";
    Console.WriteLine($"simulation: {options.Seeds} seeds from {options.FirstSeed}{(options.Family is null ? "" : $" ({options.Family} only)")}{(options.Plant is null ? "" : $", plant {options.Plant}")}: {failures.Count} failed{summary}, {seconds:F1} s, {options.Seeds / seconds:F1} seeds/s");
}
return failures.Count == 0 ? 0 : 1;
