namespace Softnet.Core;

/// <summary>How an enqueue on one CPU gets another CPU to process its backlog.</summary>
public enum KickMode
{
    /// <summary>The kernel without thread_backlog_napi: an IPI-style wake of the target's softirq thread.</summary>
    Softirq,

    /// <summary>thread_backlog_napi: each CPU's backlog NAPI has its own <c>backlog_napi/N</c> thread, woken without an IPI.</summary>
    BacklogThreads,
}

/// <summary>Parses and prints <see cref="KickMode"/> the way the CLI and reports spell it.</summary>
public static class KickModes
{
    /// <summary>The mode's name as the CLI and reports spell it: <c>softirq</c> or <c>backlog-threads</c>.</summary>
    public static string Name(this KickMode mode) => mode == KickMode.Softirq ? "softirq" : "backlog-threads";

    /// <summary>Parses <c>softirq</c> or <c>backlog-threads</c> (also <c>backlog_threads</c> and the kernel's <c>thread_backlog_napi</c>); false for anything else.</summary>
    public static bool TryParse(string text, out KickMode mode)
    {
        switch (text)
        {
            case "softirq":
                mode = KickMode.Softirq;
                return true;
            case "backlog-threads" or "backlog_threads" or "thread_backlog_napi":
                mode = KickMode.BacklogThreads;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}
