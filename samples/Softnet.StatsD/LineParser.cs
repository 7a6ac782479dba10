using System.Globalization;

namespace Softnet.StatsD;

/// <summary>
/// The Etsy StatsD line protocol over UTF-8 bytes: <c>name:value|c[|@rate]</c>, <c>|ms[|@rate]</c>, <c>|g</c> (a
/// leading <c>+</c>/<c>-</c> makes it a delta), <c>|s</c>; one metric per line, several lines per datagram.
/// </summary>
public static class LineParser
{
    /// <summary>Longest name (and set member) accepted, in bytes.</summary>
    public const int MaxNameBytes = 256;

    /// <summary>Parses one line (without its newline); returns <see cref="LineDrop.None"/> or why it was refused.</summary>
    public static LineDrop TryParse(ReadOnlySpan<byte> line, out MetricLine metric)
    {
        metric = default;
        int colon = line.IndexOf((byte)':');
        if (colon < 0)
            return LineDrop.NoColon;
        var name = line[..colon];
        if (name.IsEmpty)
            return LineDrop.EmptyName;
        if (name.Length > MaxNameBytes)
            return LineDrop.BadName;
        var rest = line[(colon + 1)..];
        int bar = rest.IndexOf((byte)'|');
        if (bar < 0)
            return LineDrop.BadType;
        var valueText = rest[..bar];
        var fields = rest[(bar + 1)..];
        int nextBar = fields.IndexOf((byte)'|');
        var typeText = nextBar < 0 ? fields : fields[..nextBar];
        MetricKind kind;
        if (typeText.SequenceEqual("c"u8))
            kind = MetricKind.Counter;
        else if (typeText.SequenceEqual("ms"u8))
            kind = MetricKind.Timer;
        else if (typeText.SequenceEqual("g"u8))
            kind = MetricKind.Gauge;
        else if (typeText.SequenceEqual("s"u8))
            kind = MetricKind.Set;
        else
            return LineDrop.BadType;

        double rate = 1;
        if (nextBar >= 0)
        {
            var rateField = fields[(nextBar + 1)..];
            if (rateField.IndexOf((byte)'|') >= 0)
                return LineDrop.ExtraField;
            if (rateField.Length < 2 || rateField[0] != (byte)'@' || !TryNumber(rateField[1..], out rate) || rate <= 0 || rate > 1)
                return LineDrop.BadSampleRate;
        }

        double value = 0;
        bool delta = false;
        if (kind == MetricKind.Set)
        {
            if (valueText.IsEmpty || valueText.Length > MaxNameBytes)
                return LineDrop.BadValue;
        }
        else
        {
            if (!TryNumber(valueText, out value))
                return LineDrop.BadValue;
            delta = kind == MetricKind.Gauge && (valueText[0] == (byte)'+' || valueText[0] == (byte)'-');
        }

        metric = new MetricLine { Name = name, Kind = kind, Value = value, IsDelta = delta, SampleRate = rate, RawValue = valueText };
        return LineDrop.None;
    }

    private static bool TryNumber(ReadOnlySpan<byte> text, out double value) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value);
}
