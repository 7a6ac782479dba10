namespace Softnet.StatsD;

/// <summary>Why a line was not aggregated. Every malformed line is counted under one of these, never thrown.</summary>
public enum LineDrop : byte
{
    /// <summary>The line parsed.</summary>
    None,

    /// <summary>No <c>:</c> between the name and the value.</summary>
    NoColon,

    /// <summary>Nothing before the <c>:</c>.</summary>
    EmptyName,

    /// <summary>The name (or a set member) is not UTF-8 or is longer than <see cref="LineParser.MaxNameBytes"/> bytes.</summary>
    BadName,

    /// <summary>The value is missing, not a finite number, or (for a set) empty.</summary>
    BadValue,

    /// <summary>No <c>|type</c>, or a type other than <c>c</c>, <c>ms</c>, <c>g</c>, <c>s</c>.</summary>
    BadType,

    /// <summary>A third field that is not <c>@rate</c> with 0 &lt; rate ≤ 1.</summary>
    BadSampleRate,

    /// <summary>More fields after the sample rate (tags and multi-value lines are not supported).</summary>
    ExtraField,
}

/// <summary>Names of <see cref="LineDrop"/> as the <c>reason</c> label of <c>statsd_dropped_lines_total</c> spells them.</summary>
public static class LineDrops
{
    /// <summary>Number of <see cref="LineDrop"/> values, <see cref="LineDrop.None"/> included.</summary>
    public const int Count = (int)LineDrop.ExtraField + 1;

    private static readonly string[] Names = ["none", "no_colon", "empty_name", "bad_name", "bad_value", "bad_type", "bad_sample_rate", "extra_field"];

    /// <summary>The reason's label value.</summary>
    public static string Name(this LineDrop drop) => Names[(int)drop];
}
