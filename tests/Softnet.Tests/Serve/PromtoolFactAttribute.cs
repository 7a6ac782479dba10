namespace Softnet.Tests.Serve;

/// <summary>A fact that needs Prometheus's promtool; skipped, saying so, where it is not installed.</summary>
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (ServeProcess.FindOnPath("promtool") is null)
            Skip = "promtool is not installed (apt-get install prometheus); .ci/run installs it";
    }
}
