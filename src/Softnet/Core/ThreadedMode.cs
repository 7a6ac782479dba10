namespace Softnet.Core;

/// <summary>A NAPI's threaded mode, as netlink's <c>threaded</c> attribute spells it.</summary>
public enum ThreadedMode
{
    /// <summary>Polled by its CPU's softirq.</summary>
    Disabled,

    /// <summary>Polled by its own <c>napi/&lt;dev&gt;-&lt;id&gt;</c> thread, which sleeps between rounds.</summary>
    Enabled,

    /// <summary>Polled by its own thread without sleeping; the queue stays masked.</summary>
    BusyPoll,
}

/// <summary>Names of <see cref="ThreadedMode"/> as netlink and the CLI spell them.</summary>
public static class ThreadedModes
{
    /// <summary>The mode's name as netlink and the CLI spell it: <c>disabled</c>, <c>enabled</c> or <c>busy-poll</c>.</summary>
    public static string Name(this ThreadedMode mode) => mode switch
    {
        ThreadedMode.Enabled => "enabled",
        ThreadedMode.BusyPoll => "busy-poll",
        _ => "disabled",
    };

    /// <summary>Refuses a value outside the defined modes, as netlink's policy does for <c>threaded</c>.</summary>
    internal static void Validate(ThreadedMode mode, string attribute = "threaded")
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(attribute, (int)mode, $"{attribute} must be one of disabled (0), enabled (1), busy-poll (2) (got {(int)mode})");
    }

    /// <summary>Parses a mode by name or by its netlink number (<c>0</c>, <c>1</c>, <c>2</c>); false for anything else.</summary>
    public static bool TryParse(string? text, out ThreadedMode mode)
    {
        switch (text)
        {
            case "disabled" or "0":
                mode = ThreadedMode.Disabled;
                return true;
            case "enabled" or "1":
                mode = ThreadedMode.Enabled;
                return true;
            case "busy-poll" or "2":
                mode = ThreadedMode.BusyPoll;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}
