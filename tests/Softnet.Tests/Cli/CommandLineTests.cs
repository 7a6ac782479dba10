using Softnet.Cli.Commands;

namespace Softnet.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void TopLevelHelp_ListsTheCommands_AndSucceeds(string help)
    {
        var (exit, stdout, _) = CliRunner.Run(help);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("usage: softnet <command>", stdout);
        Assert.Contains("run", stdout);
    }

    [Fact]
    public void NoArguments_IsAUsageError()
    {
        var (exit, stdout, stderr) = CliRunner.Run();

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Empty(stdout);
        Assert.Contains("usage: softnet <command>", stderr);
    }

    [Fact]
    public void UnknownCommand_IsAUsageError_ThatListsTheCommands()
    {
        var (exit, _, stderr) = CliRunner.Run("fly");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("unknown command 'fly'", stderr);
        Assert.Contains("run", stderr);
    }

    [Fact]
    public void RunHelp_PrintsEveryOption()
    {
        var (exit, stdout, _) = CliRunner.Run("run", "--help");

        Assert.Equal(ExitCodes.Ok, exit);
        foreach (string option in new[]
        {
            "--seconds", "--mode", "--device", "--cpus", "--producers", "--flows", "--rate", "--size", "--json",
            "--netdev-max-backlog", "--netdev-budget", "--netdev-budget-usecs", "--dev-weight", "--rps-cpus",
            "--flow-limit", "--skb-defer-max",
        })
        {
            Assert.Contains(option, stdout);
        }
    }

    [Theory]
    [InlineData("--seconds 0", "--seconds must be an integer between 1 and 3600 (got '0')")]
    [InlineData("--seconds 3601", "--seconds must be an integer between 1 and 3600")]
    [InlineData("--seconds ten", "--seconds must be an integer between 1 and 3600 (got 'ten')")]
    [InlineData("--seconds", "--seconds needs a value")]
    [InlineData("--mode turbo", "--mode must be one of softirq, backlog-threads (got 'turbo')")]
    [InlineData("--device tap", "--device must be one of loopback")]
    [InlineData("--cpus 0", "--cpus must be an integer between 1 and 1024")]
    [InlineData("--cpus 1025", "--cpus must be an integer between 1 and 1024")]
    [InlineData("--producers 0", "--producers must be an integer between 1 and 1024")]
    [InlineData("--flows 0", "--flows must be an integer between 1 and 65536")]
    [InlineData("--flows 65537", "--flows must be an integer between 1 and 65536")]
    [InlineData("--cpus 2 --producers 4 --flows 3", "--flows must be between 4 (one per producer) and 65536 (got 3)")]
    [InlineData("--rate -1", "--rate must be an integer between 0 and 1000000000")]
    [InlineData("--size 23", "--size must be an integer between 24 and 2048")]
    [InlineData("--size 2049", "--size must be an integer between 24 and 2048")]
    [InlineData("--netdev-max-backlog 0", "--netdev-max-backlog must be an integer between 1 and 16777216")]
    [InlineData("--netdev-budget 0", "--netdev-budget must be an integer between 1 and 1048576")]
    [InlineData("--netdev-budget-usecs 1000001", "--netdev-budget-usecs must be an integer between 1 and 1000000")]
    [InlineData("--dev-weight 4097", "--dev-weight must be an integer between 1 and 4096")]
    [InlineData("--skb-defer-max -1", "--skb-defer-max must be an integer between 0 and 1048576")]
    [InlineData("--rps-cpus zz", "--rps-cpus: 'zz' is not a CPU mask")]
    [InlineData("--cpus 2 --rps-cpus 4", "--rps-cpus: CPU 2 in '4' is out of range; allowed CPUs 0..1")]
    [InlineData("--cpus 2 --flow-limit list:0-5", "--flow-limit: CPU 2 in 'list:0-5' is out of range; allowed CPUs 0..1")]
    [InlineData("--json=yes", "--json does not take a value")]
    [InlineData("--bogus 1", "unknown option '--bogus'")]
    [InlineData("stray", "unexpected argument 'stray'")]
    public void BadValue_ExitsWithUsage_NamingTheOptionAndWhatItAccepts(string args, string message)
    {
        var (exit, stdout, stderr) = CliRunner.Run(["run", "--device", "loopback", .. args.Split(' ')]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr);
    }
}
