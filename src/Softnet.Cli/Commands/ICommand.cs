namespace Softnet.Cli.Commands;

/// <summary>
/// A <c>softnet</c> subcommand. Output goes to the writers given, so commands can run in-process (tests); each
/// command handles its own <c>--help</c>. Asynchronous because some commands talk to, or are, a server.
/// </summary>
internal interface ICommand
{
    /// <summary>The word after <c>softnet</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>softnet --help</c>.</summary>
    string Summary { get; }

    /// <summary>Runs with the arguments after the command name; returns the process exit code.</summary>
    Task<int> ExecuteAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr);
}
