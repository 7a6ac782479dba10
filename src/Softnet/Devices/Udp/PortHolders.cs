using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Softnet.Devices.Udp;

/// <summary>
/// Who holds a UDP port, as the kernel's socket table lists it (<see cref="UdpTable"/>). The kernel lets a SO_REUSEPORT
/// socket bind a port that sockets of the same effective uid hold with SO_REUSEPORT, and puts it in their group
/// (udp_reuseport_add_sock): the group's datagrams are then spread over both owners. A device checks the table so
/// that it never joins a group it did not create.
/// </summary>
internal static class PortHolders
{
    /// <summary>A socket bound to a local address and port, as one line of the table lists it.</summary>
    internal readonly record struct Holder(IPAddress Address, int Port, int Uid, long Inode);

    /// <summary>
    /// The sockets on <paramref name="bind"/>'s port whose address overlaps it (equal, or either one a wildcard) and
    /// that are not among <paramref name="ours"/> (socket inodes). Empty when procfs cannot be read.
    /// </summary>
    public static IReadOnlyList<Holder> Foreign(IPEndPoint bind, IReadOnlySet<long> ours)
    {
        var found = new List<Holder>();
        foreach (var row in UdpTable.Rows())
        {
            if (Parse(row) is { } h && h.Port == bind.Port && !ours.Contains(h.Inode) && Overlaps(h.Address, bind.Address))
                found.Add(h);
        }
        return found;
    }

    /// <summary>
    /// "3 sockets (uid 1000) held by pid 4242 (python3)": the owning processes are found through
    /// <c>/proc/PID/fd</c>, which shows only the caller's own user's processes (or all, for root).
    /// </summary>
    public static string Describe(IReadOnlyList<Holder> holders)
    {
        var inodes = holders.Select(h => $"socket:[{h.Inode.ToString(CultureInfo.InvariantCulture)}]").ToHashSet(StringComparer.Ordinal);
        var owners = new SortedSet<string>(StringComparer.Ordinal);
        int self = Environment.ProcessId;
        foreach (var dir in SafeEnumerate("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            foreach (var fd in SafeEnumerate($"{dir}/fd"))
            {
                string? link;
                try
                {
                    link = new FileInfo(fd).LinkTarget;
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }
                if (link is null || !inodes.Contains(link))
                    continue;
                owners.Add(pid == self ? $"pid {pid} (this process)" : $"pid {pid} ({Comm(dir)})");
                break;
            }
        }
        string uids = string.Join(", ", holders.Select(h => h.Uid).Distinct().Select(u => u.ToString(CultureInfo.InvariantCulture)));
        string who = owners.Count > 0 ? "held by " + string.Join(", ", owners) : "owner not visible in /proc";
        return $"{holders.Count} socket{(holders.Count == 1 ? "" : "s")} (uid {uids}) {who}";
    }

    /// <summary>A row's local address and port (<c>0100007F:2C89</c>); null if the kernel printed something else.</summary>
    private static Holder? Parse(UdpTable.Row row)
    {
        var local = row.Local;
        int colon = local.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0
            || !int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int port)
            || ParseAddress(local.AsSpan(0, colon)) is not { } address)
            return null;
        return new Holder(address, port, row.Uid, row.Inode);
    }

    /// <summary>The kernel prints the address as 32-bit words in host byte order (%08X each): reverse each word's bytes.</summary>
    private static IPAddress? ParseAddress(ReadOnlySpan<char> hex)
    {
        if (hex.Length is not (8 or 32))
            return null;
        var bytes = new byte[hex.Length / 2];
        for (int word = 0; word < bytes.Length / 4; word++)
        {
            if (!uint.TryParse(hex.Slice(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint v))
                return null;
            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4), v);
        }
        var address = new IPAddress(bytes);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    /// <summary>Whether two bound addresses receive the same datagrams: equal, or either one a wildcard (a dual-stack <c>[::]</c> included).</summary>
    private static bool Overlaps(IPAddress held, IPAddress wanted)
    {
        if (IsAny(held) || IsAny(wanted))
            return held.AddressFamily == wanted.AddressFamily || IsAny(held) && held.AddressFamily == AddressFamily.InterNetworkV6
                || IsAny(wanted) && wanted.AddressFamily == AddressFamily.InterNetworkV6;
        var w = wanted.IsIPv4MappedToIPv6 ? wanted.MapToIPv4() : wanted;
        return held.Equals(w);
    }

    private static bool IsAny(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);

    private static string Comm(string procDir)
    {
        try
        {
            return File.ReadAllText($"{procDir}/comm").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static IEnumerable<string> SafeEnumerate(string dir)
    {
        try
        {
            return Directory.GetFileSystemEntries(dir);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
