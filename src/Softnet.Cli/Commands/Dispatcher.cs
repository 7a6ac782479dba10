using System.CommandLine;
using System.Reflection;
using Softnet.Cli.Admin;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Options;

namespace Softnet.Cli.Commands;

/// <summary>
/// The <c>softnet</c> command tree (System.CommandLine) and its one way of running: help and <c>--version</c> on
/// stdout, usage errors on stderr with exit code 2 before anything connects or starts, then the command's action.
/// </summary>
internal static class Dispatcher
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var root = Build(stdout, stderr);
        if (args.Count == 0)
        {
            HelpText.Write(root, stderr);
            return ExitCodes.Usage;
        }
        if (args[0] == "help")
            args = ["--help", .. args.Skip(1)];
        var parse = root.Parse(args, CommandParse.Configuration);
        var command = parse.CommandResult.Command;
        if (args is ["--version"])
        {
            stdout.WriteLine(Version());
            return ExitCodes.Ok;
        }
        if (parse.Action is System.CommandLine.Help.HelpAction || args.Any(a => a is "--help" or "-h"))
        {
            HelpText.Write(command, stdout);
            return ExitCodes.Ok;
        }
        if (UsageErrors.First(parse, args) is { } error)
            return Usage(command, error, stderr);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (UsageException e)
        {
            return Usage(command, e.Message, stderr);
        }
    }

    private static int Usage(Command command, string message, TextWriter stderr)
    {
        stderr.WriteLine($"{(command is RootCommand ? "softnet" : HelpText.Path(command))}: {message}");
        if (command is RootCommand)
            HelpText.Write(command, stderr);
        else if (command is VerbCommand { UsageOnError: true } || command.Parents.OfType<VerbCommand>().Any(p => p.UsageOnError))
            stderr.Write(HelpText.Usage(command.Parents.OfType<VerbCommand>().FirstOrDefault(p => p.Parents.FirstOrDefault() is RootCommand) ?? command));
        return ExitCodes.Usage;
    }

    /// <summary>The whole tree; a new command only needs to be added here.</summary>
    private static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Softnet: the Linux NAPI receive path in user space, on real UDP sockets and threads.")
        {
            RunCommand.Create(stdout, stderr),
            ServeCommand.Create(stdout, stderr),
        };
        foreach (var verb in AdminVerbs.Create(stdout, stderr))
            root.Add(verb);
        root.Add(Top.TopCommand.Create(stdout, stderr));
        return root;
    }

    /// <summary>The informational version the build stamps (the package version, plus the commit when known).</summary>
    public static string Version() =>
        "softnet " + (typeof(Dispatcher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
}
