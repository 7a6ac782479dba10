using Softnet.Cli.Commands;

namespace Softnet.Cli.Top;

/// <summary><c>softnet top</c> as a command of the dispatcher.</summary>
internal sealed class TopCommand : ICommand
{
    public string Name => "top";

    public string Summary => "live per-second view of a running server (top --help for details)";

    public Task<int> ExecuteAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr) => Top.RunAsync(args, stdout, stderr);
}
