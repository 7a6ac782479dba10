using System.Net.Sockets;

namespace Softnet.Tests.TestSupport;

/// <summary>The state of a server's admin socket as a client sees it.</summary>
internal static class AdminSocket
{
    /// <summary>Whether a server listens on <paramref name="path"/>: the file appears at bind, a moment before listen, so only a connection says so.</summary>
    public static async Task<bool> Listening(string path)
    {
        if (!File.Exists(path))
            return false;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
