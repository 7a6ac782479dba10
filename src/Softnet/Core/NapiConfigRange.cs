namespace Softnet.Core;

/// <summary>One NAPI setting's netlink attribute name and its inclusive range.</summary>
public sealed record NapiConfigRange(string Name, long Min, long Max)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the attribute and its range.</summary>
    public void Check(long value) => NetStackOptions.Range(Name, value, Min, Max);
}
