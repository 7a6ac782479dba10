namespace Softnet.Tests.Overload;

/// <summary>A fact that needs Linux 6.12 or later, where a SCHED_OTHER thread can ask for its EEVDF slice; skipped, saying so, before.</summary>
public sealed class EevdfSliceFactAttribute : FactAttribute
{
    public EevdfSliceFactAttribute()
    {
        if (Environment.OSVersion.Version < new Version(6, 12))
            Skip = $"sched_setattr's sched_runtime sets a SCHED_OTHER slice from Linux 6.12 on (this is {Environment.OSVersion.Version})";
    }
}
