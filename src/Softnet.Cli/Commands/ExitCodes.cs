namespace Softnet.Cli.Commands;

/// <summary>The process exit codes every command uses.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and failed, or its result did not check out.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong (sysexits' EX_USAGE is 64; 2 is the shell convention tools follow).</summary>
    public const int Usage = 2;
}
