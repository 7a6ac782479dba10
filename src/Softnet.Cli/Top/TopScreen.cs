using Softnet.Cli.Admin;
using Softnet.Cli.Report;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Softnet.Cli.Top;

/// <summary>Draws a <see cref="TopFrame"/>: Spectre.Console tables redrawn in place on a terminal, or plain tables one after another.</summary>
internal static class TopScreen
{
    public static IRenderable Render(TopFrame frame, string title) =>
        new Rows(
            new Markup($"[bold]{Markup.Escape(title)}[/]"),
            Table(frame.CpuHeadings, frame.Cpus),
            Table(frame.NapiHeadings, frame.Napis));

    public static void WritePlain(TopFrame frame, string title, TextWriter writer)
    {
        writer.WriteLine(title);
        var cpus = new TextTable(frame.CpuHeadings);
        foreach (var row in frame.Cpus)
            cpus.Add(row);
        cpus.Write(writer);
        if (frame.Napis.Count == 0)
            return;
        writer.WriteLine();
        var napis = new TextTable(frame.NapiHeadings);
        foreach (var row in frame.Napis)
            napis.Add(row);
        napis.Write(writer);
    }

    private static Table Table(string[] headings, IReadOnlyList<string[]> rows)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (string heading in headings)
            table.AddColumn(new TableColumn(Markup.Escape(heading)).RightAligned());
        foreach (var row in rows)
            table.AddRow([.. row.Select(cell => new Text(cell))]);
        return table;
    }
}
