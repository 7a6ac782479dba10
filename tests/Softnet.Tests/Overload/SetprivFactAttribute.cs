namespace Softnet.Tests.Overload;

/// <summary>A fact that runs the CLI without CAP_SYS_NICE through setpriv; skipped where setpriv is missing or cannot drop it.</summary>
public sealed class SetprivFactAttribute : FactAttribute
{
    public SetprivFactAttribute()
    {
        if (Serve.ServeProcess.FindOnPath("setpriv") is null)
            Skip = "setpriv (util-linux) is not installed";
    }
}
