using System.Globalization;

namespace Softnet.Admin.Endpoints;

/// <summary>A thread's scheduler state as <c>/proc/self/task/TID/stat</c> reports it (the letter after the command name).</summary>
internal static class ThreadStates
{
    public static string? Of(int? tid)
    {
        if (tid is not { } id)
            return null;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/self/task/{id.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The thread ended between the snapshot and the read.
            return null;
        }
        // The command name is in parentheses and may itself hold spaces and parentheses: the state follows the last ')'.
        int close = text.LastIndexOf(')');
        return close < 0 || close + 2 >= text.Length ? null : text[close + 2] switch
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
