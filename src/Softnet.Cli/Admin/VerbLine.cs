using System.Globalization;
using Softnet.Cli.Options;

namespace Softnet.Cli.Admin;

/// <summary>
/// An admin verb's command line: leading words (subcommand, ID, IFNAME), then options read with the CLI's
/// <see cref="ArgReader"/>.
/// </summary>
internal sealed class VerbLine
{
    public VerbLine(IReadOnlyList<string> args)
    {
        int words = 0;
        while (words < args.Count && !args[words].StartsWith("--", StringComparison.Ordinal))
            words++;
        Words = [.. args.Take(words)];
        Options = new ArgReader([.. args.Skip(words)]);
    }

    public IReadOnlyList<string> Words { get; }

    public ArgReader Options { get; }

    public string Subcommand => Words.Count > 0 ? Words[0] : throw new UsageException("missing subcommand");

    /// <summary>Refuses a different number of leading words than <paramref name="count"/>.</summary>
    public void ExpectWords(int count)
    {
        if (Words.Count > count)
            throw new UsageException($"unexpected argument '{Words[count]}'");
        if (Words.Count < count)
            throw new UsageException("missing argument");
    }

    /// <summary>The arguments of a <c>list</c> subcommand: no words after it, and only <c>--json</c>.</summary>
    public bool ListJson()
    {
        ExpectWords(1);
        bool json = false;
        while (Options.Next(out string name))
            json = name == "--json" ? true : throw UnknownOption(name);
        return json;
    }

    public static UsageException UnknownOption(string name) => new($"unknown option {name}");

    public static UsageException UnknownSubcommand(string name) => new($"unknown subcommand '{name}'");

    /// <summary>A non-negative integer word, such as a NAPI id or a CPU number.</summary>
    public long Number(int word, string what) =>
        long.TryParse(Words[word], NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new UsageException($"{what} must be a non-negative integer (got '{Words[word]}')");
}
