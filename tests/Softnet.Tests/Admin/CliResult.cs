namespace Softnet.Tests.Admin;

/// <summary>What one admin verb printed and returned.</summary>
internal sealed record CliResult(int Code, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {Code}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
