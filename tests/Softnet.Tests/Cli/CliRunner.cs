using Softnet.Cli.Commands;

namespace Softnet.Tests.Cli;

/// <summary>Runs the <c>softnet</c> command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Dispatcher.RunAsync(args, stdout, stderr).GetAwaiter().GetResult();
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
