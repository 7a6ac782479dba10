using System.Diagnostics;

namespace Softnet.StatsD.Tests;

/// <summary>Programs outside .NET the tests drive (promtool, Node.js): found on PATH, run bounded in time.</summary>
internal static class ExternalTool
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="program"/> with <paramref name="input"/> on standard input; killed after 60 s.</summary>
    public static (int Exit, string Output, string Errors) Run(string program, IEnumerable<string> arguments, string input = "", string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        return (process.ExitCode, output.Result, errors.Result);
    }

    /// <summary>The comparison's directory (<c>samples/Softnet.StatsD/compare</c>), found above the test binaries.</summary>
    public static string CompareDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "samples", "Softnet.StatsD", "compare");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Softnet.slnx")))
                return candidate;
        }

        throw new DirectoryNotFoundException("samples/Softnet.StatsD/compare beside Softnet.slnx, above the test binaries");
    }
}
