namespace Softnet.StatsD.Tests;

/// <summary>
/// A fact that drives hot-shots, the Node.js StatsD client the comparison uses; skipped, saying so, where Node.js or
/// the comparison's npm packages are not installed.
/// </summary>
public sealed class HotShotsFactAttribute : FactAttribute
{
    public HotShotsFactAttribute()
    {
        if (ExternalTool.Find("node") is null)
            Skip = "Node.js is not installed";
        else if (!Directory.Exists(Path.Combine(ExternalTool.CompareDirectory(), "node_modules", "hot-shots")))
            Skip = "hot-shots is not installed (npm install in samples/Softnet.StatsD/compare; .ci/run and compare.sh do it)";
    }
}
