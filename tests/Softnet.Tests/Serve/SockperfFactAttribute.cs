namespace Softnet.Tests.Serve;

/// <summary>A fact that needs the real sockperf client; skipped, saying so, where it is not installed.</summary>
public sealed class SockperfFactAttribute : FactAttribute
{
    public SockperfFactAttribute()
    {
        if (ServeProcess.FindOnPath("sockperf") is null)
            Skip = "sockperf is not installed (apt-get install sockperf); .ci/run installs it";
    }
}
