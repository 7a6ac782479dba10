using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Softnet.Cli.CommandLine;

/// <summary>
/// Declares a command-line knob once — name, value name, range or allowed words, default and help — as a
/// System.CommandLine option whose parser enforces the range and whose description (and so the help) states it.
/// Every failure message names the option and what it accepts.
/// </summary>
internal static class Knob
{
    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], converted by <paramref name="convert"/>.</summary>
    public static Option<T> Integer<T>(string name, string valueName, long min, long max, Func<long, T> convert, string help, T defaultValue, string? defaultText = null)
    {
        var option = new Option<T>(name)
        {
            HelpName = valueName,
            Arity = ArgumentArity.OneOrMore,
            Description = $"{help}, {N(min)}..{N(max)} (default {defaultText ?? Convert.ToString(defaultValue, CultureInfo.InvariantCulture)})",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => ParseInteger(result, name, min, max, out long value) ? convert(value) : defaultValue,
        };
        return option;
    }

    public static Option<int> Int32(string name, string valueName, long min, long max, int defaultValue, string help, string? defaultText = null) =>
        Integer(name, valueName, min, max, v => (int)v, help, defaultValue, defaultText);

    public static Option<long> Int64(string name, string valueName, long min, long max, long defaultValue, string help, string? defaultText = null) =>
        Integer(name, valueName, min, max, v => v, help, defaultValue, defaultText);

    /// <summary>An integer whose absence means "the command decides" (null), described by <paramref name="defaultText"/>.</summary>
    public static Option<int?> OptionalInt32(string name, string valueName, long min, long max, string help, string defaultText) =>
        Integer<int?>(name, valueName, min, max, v => (int)v, help, null, defaultText);

    public static Option<long?> OptionalInt64(string name, string valueName, long min, long max, string help, string defaultText) =>
        Integer<long?>(name, valueName, min, max, v => v, help, null, defaultText);

    /// <summary>One of <paramref name="allowed"/>; the help lists them.</summary>
    public static Option<string> Choice(string name, string valueName, string[] allowed, string defaultValue, string help) => new(name)
    {
        HelpName = valueName,
        Arity = ArgumentArity.OneOrMore,
        Description = $"{string.Join(" | ", allowed)}: {help} (default {defaultValue})",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            if (Single(result, name) is not { } text)
                return defaultValue;
            if (Array.IndexOf(allowed, text) >= 0)
                return text;
            result.AddError($"{name} must be one of {string.Join(", ", allowed)} (got '{text}')");
            return defaultValue;
        },
    };

    /// <summary>
    /// A word from a fixed set (the help lists <paramref name="names"/>), checked by <paramref name="accepts"/> (which may
    /// also take aliases, such as a mode's number); null when absent, so the server keeps what is not given.
    /// </summary>
    public static Option<string?> OptionalChoice(string name, string valueName, string[] names, Func<string, bool> accepts, string help) => new(name)
    {
        HelpName = valueName,
        Arity = ArgumentArity.OneOrMore,
        Description = $"{string.Join(" | ", names)}: {help}",
        CustomParser = result =>
        {
            if (Single(result, name) is not { } text)
                return null;
            if (accepts(text))
                return text;
            result.AddError($"{name} must be one of {string.Join(", ", names)} (got '{text}')");
            return null;
        },
    };

    /// <summary>A value the command checks itself (masks, endpoints, paths); null when absent.</summary>
    public static Option<string?> Text(string name, string valueName, string help) => new(name)
    {
        HelpName = valueName,
        Arity = ArgumentArity.OneOrMore,
        Description = help,
        CustomParser = result => Single(result, name),
    };

    /// <summary>A switch: present or not, it takes no value.</summary>
    public static Option<bool> Flag(string name, string help) => new(name)
    {
        Description = help,
        Arity = ArgumentArity.Zero,
    };

    /// <summary>An integer the server judges (its refusal names the attribute and range); only its form is checked here.</summary>
    public static Option<long?> AnyInt64(string name, string valueName, string help) => new(name)
    {
        HelpName = valueName,
        Arity = ArgumentArity.OneOrMore,
        Description = help,
        CustomParser = result =>
        {
            if (Single(result, name) is not { } text)
                return null;
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                return value;
            result.AddError($"{name} must be an integer (got '{text}')");
            return null;
        },
    };

    /// <summary>A word after the subcommand that names something by number: a NAPI id, a CPU.</summary>
    public static Argument<long> Number(string name) => new(name)
    {
        HelpName = name,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                result.AddError($"missing argument {name}");
                return 0;
            }
            string text = result.Tokens[0].Value;
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                return value;
            result.AddError($"{name} must be a non-negative integer (got '{text}')");
            return 0;
        },
    };

    /// <summary>A word after the subcommand that names something: an interface.</summary>
    public static Argument<string> Word(string name) => new(name) { HelpName = name };

    private static bool ParseInteger(ArgumentResult result, string name, long min, long max, out long value)
    {
        value = 0;
        if (Single(result, name) is not { } text)
            return false;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
            return true;
        result.AddError($"{name} must be an integer between {min} and {max} (got '{text}')");
        return false;
    }

    private static string? Single(ArgumentResult result, string name)
    {
        // Given twice, the later value wins, as with most tools. "--seconds --mode x": an option is not a value,
        // even where the parser would take it as one.
        if (result.Tokens.Count > 0 && !result.Tokens[^1].Value.StartsWith("--", StringComparison.Ordinal))
            return result.Tokens[^1].Value;
        result.AddError($"{name} needs a value");
        return null;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
