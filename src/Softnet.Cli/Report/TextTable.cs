using System.Globalization;

namespace Softnet.Cli.Report;

/// <summary>The one plain-text table of every report and verb: a header row, columns padded to their widest cell, numbers right-aligned.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"a row needs {headers.Length} cells (got {cells.Length})", nameof(cells));
        _rows.Add(cells);
    }

    public void Write(TextWriter writer)
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        // A column is numeric when every cell is a number (with separators or a percent sign) or a placeholder: those
        // read best right-aligned.
        var right = headers.Select((_, i) => _rows.Count > 0 && _rows.All(r => r[i] == "-" || IsNumber(r[i]))).ToArray();
        WriteRow(writer, headers, widths, right);
        foreach (var row in _rows)
            WriteRow(writer, row, widths, right);
    }

    private static bool IsNumber(string cell) =>
        double.TryParse(cell.TrimEnd('%').Replace(" ", "", StringComparison.Ordinal), NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _);

    private static void WriteRow(TextWriter writer, string[] cells, int[] widths, bool[] right)
    {
        var padded = cells.Select((c, i) => right[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]));
        writer.WriteLine(string.Join("  ", padded).TrimEnd());
    }
}
