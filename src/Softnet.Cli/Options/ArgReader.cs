using System.Globalization;

namespace Softnet.Cli.Options;

/// <summary>
/// Walks a command's arguments: options are <c>--name value</c> or <c>--name=value</c>, switches are a bare
/// <c>--name</c>. Every failure is a <see cref="UsageException"/> naming the option.
/// </summary>
internal sealed class ArgReader(IReadOnlyList<string> args)
{
    private int _next;
    private string? _inline;
    private string _name = "";

    /// <summary>Moves to the next option; false at the end.</summary>
    public bool Next(out string name)
    {
        if (_inline is not null)
            throw new UsageException($"{_name} does not take a value (got '{_inline}')");
        if (_next == args.Count)
        {
            name = "";
            return false;
        }
        string arg = args[_next++];
        if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            throw new UsageException($"unexpected argument '{arg}'; options start with --");
        int eq = arg.IndexOf('=', StringComparison.Ordinal);
        _name = eq < 0 ? arg : arg[..eq];
        _inline = eq < 0 ? null : arg[(eq + 1)..];
        name = _name;
        return true;
    }

    /// <summary>The current option's value.</summary>
    public string Value()
    {
        if (_inline is { } inline)
        {
            _inline = null;
            return inline;
        }
        if (_next == args.Count || args[_next].StartsWith("--", StringComparison.Ordinal))
            throw new UsageException($"{_name} needs a value");
        return args[_next++];
    }

    /// <summary>The current option's value as an integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Integer(long min, long max)
    {
        string text = Value();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
            throw new UsageException($"{_name} must be an integer between {min} and {max} (got '{text}')");
        return value;
    }

    /// <summary>The current option's value as an <see cref="int"/> in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Int32(int min, int max) => (int)Integer(min, max);

    /// <summary>The current option's value, which must be one of <paramref name="allowed"/>.</summary>
    public string OneOf(params ReadOnlySpan<string> allowed)
    {
        string text = Value();
        foreach (string a in allowed)
        {
            if (a == text)
                return text;
        }
        throw new UsageException($"{_name} must be one of {string.Join(", ", allowed.ToArray())} (got '{text}')");
    }
}
