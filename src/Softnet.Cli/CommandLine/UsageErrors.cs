using System.CommandLine;
using System.CommandLine.Parsing;

namespace Softnet.Cli.CommandLine;

/// <summary>
/// The first problem of a parse, worded as the CLI words usage errors: the option and what it accepts, an unknown
/// option or word by name, a missing value or subcommand.
/// </summary>
internal static class UsageErrors
{
    public static string? First(ParseResult parse, IReadOnlyList<string> args)
    {
        var command = parse.CommandResult.Command;
        // "--json=yes": the tokenizer splits a switch from its value, which would otherwise read as a stray word.
        foreach (string arg in args)
        {
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0
                && command.Options.FirstOrDefault(o => o.Name == arg[..eq]) is { Arity.MaximumNumberOfValues: 0 } flag)
                return $"{flag.Name} does not take a value (got '{arg[(eq + 1)..]}')";
        }
        // A bad value names its option; that says more than the stray words it may leave behind.
        foreach (var e in parse.Errors)
        {
            switch (e.SymbolResult)
            {
                case ArgumentResult { Argument: var a, Tokens.Count: 0, Parent: CommandResult }:
                    return $"missing argument {a.HelpName}";
                case OptionResult { Option: var o, Tokens.Count: 0 } when o.Arity.MinimumNumberOfValues > 0:
                    return $"{o.Name} needs a value";
                case ArgumentResult or OptionResult:
                    return e.Message;
            }
        }
        if (parse.UnmatchedTokens.Count > 0)
            return Unmatched(command, parse.UnmatchedTokens[0]);
        if (parse.Errors.Count == 0)
            return null;
        var error = parse.Errors[0];
        return error.SymbolResult switch
        {
            CommandResult when command.Subcommands.Count > 0 =>
                $"missing subcommand; one of {string.Join(", ", command.Subcommands.Select(c => c.Name))}",
            CommandResult when command.Arguments.Count > 0 => "missing argument " + string.Join(' ', command.Arguments.Select(a => a.HelpName)),
            _ => error.Message,
        };
    }

    private static string Unmatched(Command command, string token)
    {
        if (command is RootCommand)
            return $"unknown command '{token}'; commands: {string.Join(", ", command.Subcommands.Select(c => c.Name))}";
        if (command.Subcommands.Count > 0 && !token.StartsWith('-'))
            return $"unknown subcommand '{token}'; one of {string.Join(", ", command.Subcommands.Select(c => c.Name))}";
        return token.StartsWith('-')
            ? $"unknown option '{token}' for {HelpText.Path(command)[8..]}; see {HelpText.Path(command)} --help"
            : $"unexpected argument '{token}'; options start with --";
    }
}
