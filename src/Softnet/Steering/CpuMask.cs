using System.Globalization;

namespace Softnet.Steering;

/// <summary>
/// CPU sets written the way sysfs writes them: a hex bitmap (<c>f</c>, <c>0x3</c>, <c>ff,ffffffff</c>), a list
/// (<c>0-3,6</c>), <c>all</c>, or empty / <c>0</c> for none.
/// </summary>
public static class CpuMask
{
    /// <summary>Parses a CPU set for option <paramref name="option"/> into ascending CPU indices; throws when it is malformed or names a CPU at or above <paramref name="cpus"/>.</summary>
    public static int[] Parse(string? text, int cpus, string option)
    {
        text = text?.Trim() ?? "";
        if (text.Length == 0 || text == "0" || text == "none")
            return [];
        if (text == "all")
            return Enumerable.Range(0, cpus).ToArray();
        var set = new SortedSet<int>();
        if (text.Contains('-') || text.StartsWith("list:", StringComparison.Ordinal))
            ParseList(text.Replace("list:", ""), set, option);
        else
            ParseHex(text, set, option);
        foreach (int cpu in set)
        {
            if (cpu >= cpus)
                throw new ArgumentOutOfRangeException(option, $"{option}: CPU {cpu} in '{text}' is out of range; allowed CPUs 0..{cpus - 1}");
        }
        return set.ToArray();
    }

    /// <summary>The sysfs hex form of a CPU list.</summary>
    public static string Format(IEnumerable<int> cpus)
    {
        var list = cpus.ToList();
        if (list.Count == 0)
            return "0";
        int words = list.Max() / 32 + 1;
        var parts = new string[words];
        for (int w = 0; w < words; w++)
        {
            uint bits = 0;
            foreach (int c in list)
            {
                if (c / 32 == w)
                    bits |= 1u << (c % 32);
            }
            parts[words - 1 - w] = w == words - 1 ? bits.ToString("x", CultureInfo.InvariantCulture) : bits.ToString("x8", CultureInfo.InvariantCulture);
        }
        return string.Join(',', parts);
    }

    private static void ParseHex(string text, SortedSet<int> set, string option)
    {
        string hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        var words = hex.Split(',');
        for (int w = 0; w < words.Length; w++)
        {
            if (!uint.TryParse(words[^(w + 1)], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint bits))
                throw new ArgumentException($"{option}: '{text}' is not a CPU mask; use a hex bitmap such as 'f' or a list such as '0-3'", option);
            for (int b = 0; b < 32; b++)
            {
                if ((bits & (1u << b)) != 0)
                    set.Add(w * 32 + b);
            }
        }
    }

    private static void ParseList(string text, SortedSet<int> set, string option)
    {
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryParseRange(part, out int lo, out int hi))
                throw new ArgumentException($"{option}: '{text}' is not a CPU list; use ranges such as '0-3,6'", option);
            for (int c = lo; c <= hi; c++)
                set.Add(c);
        }
    }

    /// <summary>One entry of a CPU list: <c>N</c> or <c>LO-HI</c> with LO ≤ HI.</summary>
    internal static bool TryParseRange(string part, out int lo, out int hi)
    {
        var ends = part.Split('-');
        lo = hi = 0;
        return ends.Length <= 2
            && int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out lo)
            && int.TryParse(ends[^1], NumberStyles.None, CultureInfo.InvariantCulture, out hi)
            && hi >= lo;
    }
}
