namespace Softnet.Cli.Commands;

/// <summary>
/// The runtime's inline socket completions for <c>serve</c>'s admin and metrics servers: an epoll event runs the socket
/// operation's continuation on the event thread instead of queueing it to the thread pool, so an admin request wakes
/// one thread, not two or three. The runtime reads the variable once, at its first asynchronous socket operation,
/// which in <c>serve</c> is its admin or metrics server's, started after this; one set by the user is left as it is.
/// </summary>
internal static class InlineSocketCompletions
{
    private const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Enable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
            Environment.SetEnvironmentVariable(Variable, "1");
    }
}
