using Softnet.Cli.Admin;

namespace Softnet.Cli.Commands;

/// <summary>Picks the command named by the first argument; handles the top-level help and unknown commands.</summary>
internal static class Dispatcher
{
    /// <summary>Every command; a new one only needs to be listed here.</summary>
    private static readonly ICommand[] Commands =
    [
        new RunCommand(),
        new ServeCommand(),
        .. AdminVerbs.Verbs.Select(verb => new AdminVerbCommand(verb)),
        new Top.TopCommand(),
    ];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0)
        {
            stderr.Write(Usage());
            return ExitCodes.Usage;
        }
        if (args[0] is "--help" or "-h" or "help")
        {
            stdout.Write(Usage());
            return ExitCodes.Ok;
        }
        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            stderr.WriteLine($"softnet: unknown command '{args[0]}'; commands: {string.Join(", ", Commands.Select(c => c.Name))}");
            return ExitCodes.Usage;
        }
        return await command.ExecuteAsync(args.Skip(1).ToList(), stdout, stderr);
    }

    private static string Usage() =>
        "usage: softnet <command> [options]\n\ncommands:\n"
        + string.Concat(Commands.Select(c => $"  {c.Name,-10}{c.Summary}\n"))
        + "\nsoftnet <command> --help describes a command's options.\n";
}
