namespace Softnet.StatsD.Tests;

/// <summary>A fact that needs Prometheus's promtool; skipped, saying so, where it is not installed.</summary>
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (ExternalTool.Find("promtool") is null)
            Skip = "promtool is not installed (apt-get install prometheus); .ci/run installs it";
    }
}
