using System.CommandLine;
using Softnet.Cli.Options;

namespace Softnet.Cli.CommandLine;

/// <summary>Parses one command's arguments on their own (as <c>RunOptions.Parse</c> does); a usage error throws.</summary>
internal static class CommandParse
{
    public static ParseResult Of(Command command, IReadOnlyList<string> args)
    {
        var parse = command.Parse(args);
        return UsageErrors.First(parse, args) is { } error ? throw new UsageException(error) : parse;
    }
}
