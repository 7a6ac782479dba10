using System.Globalization;

namespace Softnet.Devices.Udp;

/// <summary>
/// A UDP socket's drop counter as <c>/proc/net/udp</c> shows it (the last column, sk_drops). SO_RXQ_OVFL reports the
/// same count only on the next datagram received, so a final reading at close catches drops nothing reported yet.
/// </summary>
internal static class SocketDrops
{
    /// <summary>The socket's drop count, or null when it cannot be read (no procfs, socket closed).</summary>
    public static long? Read(int fd)
    {
        string? link;
        try
        {
            link = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        if (link is null || !link.StartsWith("socket:[", StringComparison.Ordinal))
            return null;
        string inode = link[8..^1];
        foreach (var table in (ReadOnlySpan<string>)["/proc/net/udp", "/proc/net/udp6"])
        {
            if (!File.Exists(table))
                continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
                if (cols.Length >= 13 && cols[9] == inode)
                    return long.Parse(cols[^1], CultureInfo.InvariantCulture);
            }
        }
        return null;
    }
}
