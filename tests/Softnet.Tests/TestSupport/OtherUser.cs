using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Softnet.Tests.TestSupport;

/// <summary>
/// Another local user for attack scenarios: files handed to uid 65534 (nobody) with chown, and commands run as
/// that user with setpriv. Only root can do either; <see cref="Available"/> says why not otherwise.
/// </summary>
internal static partial class OtherUser
{
    public const uint Uid = 65534;

    public static bool Available(out string whyNot)
    {
        whyNot = GetEuid() != 0 ? "not running as root: cannot chown to another user or run as one"
            : !File.Exists("/usr/bin/setpriv") ? "setpriv (util-linux) is not installed"
            : "";
        return whyNot.Length == 0;
    }

    /// <summary>Makes <paramref name="path"/> (not a link's target) belong to the other user.</summary>
    public static void Own(string path)
    {
        if (LChown(path, Uid, Uid) != 0)
            throw new InvalidOperationException($"lchown {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Runs the softnet CLI as the other user; returns its exit code and output (bounded).</summary>
    public static (int Exit, string Output) RunCli(TimeSpan timeout, params string[] args)
    {
        using var p = StartCli(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill();
            throw new TimeoutException($"softnet {string.Join(' ', args)} as uid {Uid} did not finish within {timeout}");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Starts the softnet CLI as the other user, output redirected; <c>NAME=VALUE</c> arguments before the first option set its environment.</summary>
    public static Process StartCli(params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] environment = [.. args.TakeWhile(a => a.Contains('=') && !a.StartsWith('-'))];
        string[] line =
        [
            $"--reuid={Uid}", $"--regid={Uid}", "--clear-groups", "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "DOTNET_NOLOGO=1", .. environment,
            "dotnet", Path.Combine(AppContext.BaseDirectory, "Softnet.Cli.dll"), .. args[environment.Length..],
        ];
        foreach (var a in line)
            start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LChown(string path, uint owner, uint group);
}
