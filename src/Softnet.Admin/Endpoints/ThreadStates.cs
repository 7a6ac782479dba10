using System.Globalization;

namespace Softnet.Admin.Endpoints;

/// <summary>A thread's scheduler state as <c>/proc/self/task/TID/stat</c> reports it (the letter after the command name).</summary>
internal static class ThreadStates
{
    /// <summary>
    /// Enough of the file for the state: the pid, the command name (at most 15 bytes, TASK_COMM_LEN) in parentheses,
    /// then the state letter.
    /// </summary>
    private const int Head = 128;

    public static string? Of(int? tid)
    {
        if (tid is not { } id)
            return null;
        // Read into a stack buffer, not a string: every GET /stats reads this for every NAPI, and what the admin path
        // allocates brings garbage collections, which stop the packet threads.
        Span<byte> text = stackalloc byte[Head];
        try
        {
            using var file = File.OpenHandle($"/proc/self/task/{id.ToString(CultureInfo.InvariantCulture)}/stat");
            text = text[..RandomAccess.Read(file, text, 0)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The thread ended between the snapshot and the read.
            return null;
        }
        // The command name is in parentheses and may itself hold spaces and parentheses: the state follows the last ')'
        // (the fields after the state are numbers).
        int close = text.LastIndexOf((byte)')');
        return close < 0 || close + 2 >= text.Length ? null : (char)text[close + 2] switch
        {
            'R' => "running",
            'S' => "sleeping",
            'D' => "disk-sleep",
            'T' => "stopped",
            't' => "tracing-stop",
            'Z' => "zombie",
            'X' => "dead",
            'I' => "idle",
            var other => other.ToString(),
        };
    }
}
