using System.Globalization;

namespace Softnet.Devices.Udp;

/// <summary>
/// The kernel's table of UDP sockets, <c>/proc/net/udp</c> and <c>/proc/net/udp6</c> (udp4_format_sock), and the
/// socket inode behind one of this process's descriptors, which is how a row is matched to a socket.
/// </summary>
internal static class UdpTable
{
    /// <summary>
    /// One socket's row: its local address as the kernel prints it (<c>0100007F:2C89</c>, hex words in host byte order,
    /// then the port), the owner's uid, the inode and sk_drops.
    /// </summary>
    internal readonly record struct Row(string Local, int Uid, long Inode, long Drops);

    /// <summary>Every row of both tables; a table that cannot be read (no procfs, no permission) adds none.</summary>
    public static IEnumerable<Row> Rows()
    {
        foreach (var table in (string[])["/proc/net/udp", "/proc/net/udp6"])
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(table);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            // The first line is the column heading.
            for (int i = 1; i < lines.Length; i++)
            {
                if (Parse(lines[i]) is { } row)
                    yield return row;
            }
        }
    }

    /// <summary>The socket inode behind <paramref name="fd"/> (the <c>socket:[N]</c> link); null if unreadable or not a socket.</summary>
    public static long? Inode(int fd)
    {
        try
        {
            var link = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            return link is not null && link.StartsWith("socket:[", StringComparison.Ordinal)
                && long.TryParse(link.AsSpan(8, link.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out long inode)
                ? inode
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The kernel's drop count of the socket behind <paramref name="fd"/> (sk_drops), or null when it cannot be read
    /// (no procfs, socket closed). SO_RXQ_OVFL reports the same count only on the next datagram received, so a final
    /// reading at close catches drops nothing reported yet.
    /// </summary>
    public static long? Drops(int fd)
    {
        if (Inode(fd) is not { } inode)
            return null;
        foreach (var row in Rows())
        {
            if (row.Inode == inode)
                return row.Drops;
        }
        return null;
    }

    /// <summary>One line: <c>sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops</c>.</summary>
    private static Row? Parse(string line)
    {
        var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return cols.Length >= 13
            && int.TryParse(cols[7], NumberStyles.None, CultureInfo.InvariantCulture, out int uid)
            && long.TryParse(cols[9], NumberStyles.None, CultureInfo.InvariantCulture, out long inode)
            && long.TryParse(cols[12], NumberStyles.None, CultureInfo.InvariantCulture, out long drops)
            ? new Row(cols[1], uid, inode, drops)
            : null;
    }
}
