using System.Text;

namespace Softnet.StatsD;

/// <summary>
/// StatsD names as Prometheus's statsd_exporter maps them without a mapping file: every character outside
/// <c>[A-Za-z0-9_]</c> (dots included) becomes <c>_</c>, and a leading digit gets a <c>_</c> in front.
/// </summary>
public static class PrometheusName
{
    /// <summary>The metric name for <paramref name="statsdName"/>.</summary>
    public static string From(string statsdName)
    {
        var name = new StringBuilder(statsdName.Length + 1);
        if (statsdName.Length > 0 && char.IsAsciiDigit(statsdName[0]))
            name.Append('_');
        foreach (char c in statsdName)
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return name.ToString();
    }

    /// <summary>A counter's name: <see cref="From"/> with <c>_total</c> appended unless it already ends so.</summary>
    public static string Counter(string statsdName)
    {
        string name = From(statsdName);
        return name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total";
    }
}
