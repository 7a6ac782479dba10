using Softnet.Scheduling;

namespace Softnet.Tests.Overload;

/// <summary>A fact that needs two CPUs this process may run on (one for housekeeping, one for packets); skipped, saying so, where there is one.</summary>
public sealed class TwoCpusFactAttribute : FactAttribute
{
    public TwoCpusFactAttribute()
    {
        if (SystemPlatform.Instance.AllowedOsCpus().Count < 2)
            Skip = "needs two CPUs this process may run on";
    }
}
