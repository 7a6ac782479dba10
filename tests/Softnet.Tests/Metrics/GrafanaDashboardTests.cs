using System.Text.Json;
using System.Text.RegularExpressions;
using Softnet.Diagnostics;

namespace Softnet.Tests.Metrics;

/// <summary><c>docs/grafana/softnet.json</c>: a dashboard that parses and queries only metrics Softnet exports.</summary>
public sealed partial class GrafanaDashboardTests
{
    [Fact]
    public void TheDashboardParses_AndEveryMetricItQueriesIsInTheCounterTable()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "grafana", "softnet.json")));
        var root = dashboard.RootElement;
        Assert.Equal("softnet", root.GetProperty("uid").GetString());
        var panels = root.GetProperty("panels").EnumerateArray().ToArray();
        var queries = panels
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString()!, Expr: t.GetProperty("expr").GetString()!)))
            .ToArray();
        Assert.NotEmpty(queries);

        var exported = new HashSet<string>(SoftnetCounters.All.SelectMany(Families));
        var used = new HashSet<string>();
        foreach (var (panel, expr) in queries)
        {
            var names = MetricName().Matches(expr).Select(m => m.Value).ToArray();
            Assert.True(names.Length > 0, $"panel '{panel}' queries no softnet metric: {expr}");
            foreach (string name in names)
            {
                Assert.True(exported.Contains(name), $"panel '{panel}' queries {name}, which Softnet does not export");
                used.Add(name);
            }
        }
        // The per-CPU summary (what softnet stat --watch shows) and the latency histogram are all on the dashboard.
        foreach (var counter in SoftnetCounters.Summary)
            Assert.Contains(counter.PrometheusName, used);
        Assert.Contains("softnet_delivery_latency_seconds_bucket", used);
    }

    /// <summary>The series names a counter exports: its family, or a histogram's three.</summary>
    private static IEnumerable<string> Families(SoftnetCounter counter) =>
        counter.Kind == CounterKind.Histogram
            ? [counter.PrometheusName + "_bucket", counter.PrometheusName + "_sum", counter.PrometheusName + "_count"]
            : [counter.PrometheusName];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Softnet.slnx")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("Softnet.slnx above the test binaries");
    }

    [GeneratedRegex(@"\bsoftnet_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
