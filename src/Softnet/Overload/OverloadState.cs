namespace Softnet.Overload;

/// <summary>How loaded a CPU or a queue is, as the <see cref="OverloadDetector"/> judges it.</summary>
public enum OverloadState
{
    /// <summary>The signals are low: everything that arrives is handled.</summary>
    Normal,

    /// <summary>The signals are past the pressured watermark: queues build up but nothing is lost yet.</summary>
    Pressured,

    /// <summary>The signals are past the overloaded watermark: arrivals exceed what the stack may spend on them.</summary>
    Overloaded,
}

/// <summary>Names for <see cref="OverloadState"/> as reports, logs and metrics spell them.</summary>
public static class OverloadStates
{
    /// <summary>The number of states, for arrays indexed by <see cref="OverloadState"/>.</summary>
    public const int Count = (int)OverloadState.Overloaded + 1;

    private static readonly string[] Names = ["normal", "pressured", "overloaded"];

    /// <summary>The state's name as reports, logs and metrics spell it: <c>normal</c>, <c>pressured</c> or <c>overloaded</c>.</summary>
    public static string Name(this OverloadState state) => Names[(int)state];
}
