using System.Text.RegularExpressions;

namespace Softnet.Tests.TestSupport;

/// <summary>The stack's per-CPU threads as the OS sees them: <c>/proc/self/task/*/comm</c>.</summary>
internal static partial class StackThreads
{
    /// <summary>How many live threads of this process are named ksoftirqd/N or backlog_napi/N (any stack's).</summary>
    public static int Count() => Directory.EnumerateDirectories("/proc/self/task")
        .Select(task => Comm(Path.Combine(task, "comm")))
        .Count(comm => comm is not null && StackThreadName().IsMatch(comm));

    /// <summary>The OS name of thread <paramref name="tid"/> of this process; null once it has exited.</summary>
    public static string? NameOf(int tid) => Comm($"/proc/self/task/{tid}/comm");

    private static string? Comm(string path)
    {
        try
        {
            return File.ReadAllText(path).TrimEnd('\n');
        }
        catch (IOException)
        {
            return null; // the thread exited while we looked
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^(ksoftirqd|backlog_napi)/\d+$")]
    private static partial Regex StackThreadName();
}
