using System.CommandLine;

namespace Softnet.Cli.CommandLine;

/// <summary>
/// The help of a command, written from its System.CommandLine symbols: usage lines (one per leaf subcommand), the
/// description, every option with its value name and description (which states its range and default), the options
/// every subcommand shares, and the exit codes.
/// </summary>
internal static class HelpText
{
    private const int NameWidth = 28;

    public static void Write(Command command, TextWriter w)
    {
        w.Write(Usage(command));
        w.WriteLine();
        if (!string.IsNullOrEmpty(command.Description))
        {
            w.WriteLine(command.Description);
            w.WriteLine();
        }
        if (command is RootCommand)
        {
            w.WriteLine("commands:");
            foreach (var sub in command.Subcommands)
                w.WriteLine($"  {sub.Name,-10}{sub.Description}");
            w.WriteLine();
            w.WriteLine("softnet <command> --help describes a command's options; softnet --version prints the version.");
            return;
        }
        WriteOptions(w, "options:", command.Options.Where(o => !o.Recursive && !o.Hidden));
        foreach (var sub in Leaves(command).Where(c => c != command && c.Options.Any(o => !o.Recursive && !o.Hidden)))
            WriteOptions(w, $"options of {Path(sub)}:", sub.Options.Where(o => !o.Recursive && !o.Hidden));
        var shared = Shared(command).ToList();
        if (shared.Count > 0)
            WriteOptions(w, "the server (every admin verb takes these):", shared);
        w.WriteLine($"  {"--help",-NameWidth}this text");
        if (command is VerbCommand { ExitCodes: { } codes })
        {
            w.WriteLine();
            w.WriteLine($"exit codes: {codes}");
        }
    }

    /// <summary>The usage lines alone, as a usage error repeats them.</summary>
    public static string Usage(Command command)
    {
        if (command is RootCommand)
            return "usage: softnet <command> [options]" + Environment.NewLine;
        var lines = Leaves(command).Select(Line).ToList();
        return "usage: " + string.Join(Environment.NewLine + "       ", lines) + Environment.NewLine;
    }

    /// <summary>"softnet napi set" for the command <c>set</c> under <c>napi</c>.</summary>
    public static string Path(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c and not RootCommand; s = s.Parents.FirstOrDefault())
            names.Add(c.Name);
        names.Add("softnet");
        names.Reverse();
        return string.Join(' ', names);
    }

    private static string Line(Command leaf)
    {
        var words = new List<string> { Path(leaf) };
        words.AddRange(leaf.Arguments.Select(a => a.HelpName ?? a.Name.ToUpperInvariant()));
        var options = leaf.Options.Where(o => !o.Recursive && !o.Hidden).ToList();
        if (options.Count > 4)
            words.Add("[options]");
        else
            words.AddRange(options.Select(o => o.Required ? Spelled(o) : $"[{Spelled(o)}]"));
        return string.Join(' ', words);
    }

    private static IEnumerable<Command> Leaves(Command command) =>
        command.Subcommands.Count == 0 ? [command] : command.Subcommands.SelectMany(Leaves);

    private static IEnumerable<Option> Shared(Command command)
    {
        for (Symbol? s = command; s is Command c; s = s.Parents.FirstOrDefault())
        {
            foreach (var o in c.Options.Where(o => o.Recursive && !o.Hidden && o is not System.CommandLine.Help.HelpOption && o is not VersionOption))
                yield return o;
        }
    }

    private static string Spelled(Option o) => o.Arity.MaximumNumberOfValues == 0 ? o.Name : $"{o.Name} {o.HelpName}";

    /// <summary>Splits a description into lines that fit beside the option names in 120 columns.</summary>
    private static IEnumerable<string> Wrap(string text)
    {
        const int width = 120 - NameWidth - 2;
        while (text.Length > width)
        {
            int cut = text.LastIndexOf(' ', width);
            if (cut <= 0)
                break;
            yield return text[..cut];
            text = text[(cut + 1)..];
        }
        yield return text;
    }

    private static void WriteOptions(TextWriter w, string title, IEnumerable<Option> options)
    {
        if (!options.Any())
            return;
        w.WriteLine(title);
        foreach (var o in options)
        {
            string name = Spelled(o);
            if (name.Length >= NameWidth)
            {
                w.WriteLine($"  {name}");
                name = "";
            }
            foreach (string line in Wrap(o.Description ?? ""))
            {
                w.WriteLine($"  {name,-NameWidth}{line}".TrimEnd());
                name = "";
            }
        }
        w.WriteLine();
    }
}
