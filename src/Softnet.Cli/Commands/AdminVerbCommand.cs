using Softnet.Cli.Admin;

namespace Softnet.Cli.Commands;

/// <summary>One of the admin server's client verbs (<c>napi</c>, <c>dev</c>, …), which parse their own arguments and help.</summary>
internal sealed class AdminVerbCommand(string verb) : ICommand
{
    public string Name => verb;

    public string Summary => $"ask a running Softnet admin server ({verb} --help for details)";

    public Task<int> ExecuteAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr) =>
        AdminVerbs.RunAsync(verb, [.. args], stdout, stderr);
}
