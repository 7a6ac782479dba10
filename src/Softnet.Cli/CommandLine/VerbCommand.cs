using System.CommandLine;

namespace Softnet.Cli.CommandLine;

/// <summary>
/// A <c>softnet</c> command or subcommand: a System.CommandLine command plus what its help shows besides the options
/// (the exit codes), and whether a usage error repeats the usage lines (the admin verbs do, as their words matter).
/// </summary>
internal sealed class VerbCommand(string name, string description) : Command(name, description)
{
    /// <summary>The exit codes, as the help's last line states them.</summary>
    public string? ExitCodes { get; init; }

    /// <summary>A usage error also prints the command's usage lines.</summary>
    public bool UsageOnError { get; init; }

    /// <summary>Sets the action with the writers it reports to; the result is the exit code.</summary>
    public void Run(Func<ParseResult, Task<int>> action) => SetAction((result, _) => action(result));
}
