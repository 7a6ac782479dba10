using System.CommandLine;
using Softnet.Admin;
using Softnet.Cli.CommandLine;

namespace Softnet.Cli.Admin;

/// <summary>
/// One admin verb's command and how its subcommands run: the request is prepared from the parse (usage errors
/// throw before connecting), then sent; a missing server, a refusal and a setup problem become their exit codes.
/// </summary>
internal sealed class AdminVerb(string name, string description, TextWriter stdout, TextWriter stderr)
{
    private readonly AdminTargetKnobs _target = new();

    public VerbCommand Command { get; } = new(name, description) { ExitCodes = AdminVerbs.ExitCodes, UsageOnError = true };

    public TextWriter Stdout => stdout;

    /// <summary>A subcommand (<c>napi set</c>), or the verb itself when <paramref name="sub"/> is null (<c>stat</c>).</summary>
    public Command Sub(string? sub, string help, Func<ParseResult, Func<AdminClient, Task<int>>> prepare, params Symbol[] symbols)
    {
        Command command = sub is null ? Command : new VerbCommand(sub, help) { ExitCodes = AdminVerbs.ExitCodes };
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option o:
                    command.Add(o);
                    break;
                case Argument a:
                    command.Add(a);
                    break;
            }
        }
        command.SetAction(async (parse, _) => await RunAsync(parse, prepare));
        if (sub is not null)
            Command.Add(command);
        return command;
    }

    /// <summary>The verb with its subcommands and the shared target options.</summary>
    public VerbCommand Done()
    {
        _target.AddTo(Command);
        return Command;
    }

    private async Task<int> RunAsync(ParseResult parse, Func<ParseResult, Func<AdminClient, Task<int>>> prepare)
    {
        var send = prepare(parse);
        var target = _target.Bind(parse);
        try
        {
            using var client = target.Connect();
            return await send(client);
        }
        catch (Exception e) when (e is NoServerException or AdminSetupException)
        {
            stderr.WriteLine($"{HelpText.Path(parse.CommandResult.Command)}: {e.Message}");
            return AdminExitCodes.NoServer;
        }
        catch (RefusedException e)
        {
            stderr.WriteLine($"{HelpText.Path(parse.CommandResult.Command)}: {e.Message} ({e.Errno})");
            return AdminExitCodes.Refused;
        }
    }
}
