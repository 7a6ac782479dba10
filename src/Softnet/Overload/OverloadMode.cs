namespace Softnet.Overload;

/// <summary>What a stack does about overload (<c>--overload</c>).</summary>
public enum OverloadMode
{
    /// <summary>Detect and report only; the packet threads poll as long as there is work.</summary>
    Off,

    /// <summary>Enforce the CPU budget: past <c>OverloadCpuShare</c> of a period the packet threads stop polling until the next.</summary>
    Auto,
}

/// <summary>Names for <see cref="OverloadMode"/> as the command line spells them.</summary>
public static class OverloadModes
{
    /// <summary>The mode's name as the command line spells it: <c>auto</c> or <c>off</c>.</summary>
    public static string Name(this OverloadMode mode) => mode == OverloadMode.Auto ? "auto" : "off";

    /// <summary>Parses <c>auto</c> or <c>off</c>; false for anything else.</summary>
    public static bool TryParse(string text, out OverloadMode mode)
    {
        mode = text == "auto" ? OverloadMode.Auto : OverloadMode.Off;
        return text is "auto" or "off";
    }
}
