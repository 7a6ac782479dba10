using System.CommandLine;
using Softnet.Cli.Options;

namespace Softnet.Cli.CommandLine;

/// <summary>Parses one command's arguments on their own (as <c>RunOptions.Parse</c> does); a usage error throws.</summary>
internal static class CommandParse
{
    /// <summary>
    /// How every command line is parsed: words starting with <c>@</c> are values like any other (a socket path, a
    /// token file), not response files to expand.
    /// </summary>
    public static ParserConfiguration Configuration { get; } = new() { ResponseFileTokenReplacer = null };

    public static ParseResult Of(Command command, IReadOnlyList<string> args)
    {
        var parse = command.Parse(args, Configuration);
        return UsageErrors.First(parse, args) is { } error ? throw new UsageException(error) : parse;
    }
}
