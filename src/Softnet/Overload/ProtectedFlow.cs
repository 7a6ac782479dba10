using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Softnet.Overload;

/// <summary>
/// Sources whose datagrams a UDP device keeps out of the flood (<c>--protect SRC[/PREFIX][:PORT[-PORT]]</c>): an
/// address prefix and a source port range. The kernel's reuseport steering program sends matching datagrams to the
/// device's protected queue, which has a socket buffer of its own, is polled first and is exempt from the CPU budget.
/// </summary>
public sealed record ProtectedFlow
{
    /// <summary>At most this many flows per device: the steering program's conditional jumps reach 255 instructions.</summary>
    public const int MaxPerDevice = 8;

    /// <summary>The textual form <see cref="TryParse"/> accepts, with examples, for help and error messages.</summary>
    public const string Syntax = "SRC[/PREFIX][:PORT[-PORT]], e.g. 10.0.0.7, 10.0.0.0/24:5000-5099 or [::1]:7000";

    /// <summary>A rule protecting datagrams from <paramref name="network"/>/<paramref name="prefixLength"/> with a source port from <paramref name="portLow"/> to <paramref name="portHigh"/> (default: any port).</summary>
    public ProtectedFlow(IPAddress network, int prefixLength, int portLow = 0, int portHigh = ushort.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.IsIPv4MappedToIPv6)
            network = network.MapToIPv4();
        int bits = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefixLength < 0 || prefixLength > bits)
            throw new ArgumentOutOfRangeException(nameof(prefixLength), $"a protected flow's prefix must be 0..{bits} for {network} (got {prefixLength})");
        if (portLow < 0 || portHigh > ushort.MaxValue || portLow > portHigh)
            throw new ArgumentOutOfRangeException(nameof(portLow), $"a protected flow's ports must be 0 <= low <= high <= 65535 (got {portLow}-{portHigh})");
        Network = Masked(network, prefixLength);
        PrefixLength = prefixLength;
        PortLow = portLow;
        PortHigh = portHigh;
    }

    /// <summary>The source network, host bits cleared.</summary>
    public IPAddress Network { get; }

    /// <summary>The source prefix length in bits (32 or 128 for a single host).</summary>
    public int PrefixLength { get; }

    /// <summary>The lowest protected source port.</summary>
    public int PortLow { get; }

    /// <summary>The highest protected source port.</summary>
    public int PortHigh { get; }

    /// <summary>Whether the rule is for IPv4 sources.</summary>
    public bool IsIPv4 => Network.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>Whether a datagram from <paramref name="source"/> is protected (IPv4-mapped sources match IPv4 rules).</summary>
    public bool Matches(IPEndPoint source)
    {
        var address = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        return address.AddressFamily == Network.AddressFamily
            && Masked(address, PrefixLength).Equals(Network)
            && source.Port >= PortLow && source.Port <= PortHigh;
    }

    /// <summary>The rule in <see cref="Syntax"/> form.</summary>
    public override string ToString()
    {
        string address = IsIPv4 ? Network.ToString() : $"[{Network}]";
        string prefix = PrefixLength == (IsIPv4 ? 32 : 128) ? "" : $"/{PrefixLength}";
        string ports = PortLow == 0 && PortHigh == ushort.MaxValue ? "" : PortLow == PortHigh ? $":{PortLow}" : $":{PortLow}-{PortHigh}";
        return address + prefix + ports;
    }

    /// <summary>Parses <see cref="Syntax"/>; false with a reason naming what is wrong.</summary>
    public static bool TryParse(string text, out ProtectedFlow? flow, out string error)
    {
        flow = null;
        error = "";
        string rest = text.Trim();
        string address;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "an IPv6 source is written in brackets, [ADDR]";
                return false;
            }
            address = rest[1..close];
            rest = rest[(close + 1)..];
        }
        else
        {
            int end = rest.IndexOfAny(['/', ':']);
            if (end >= 0 && rest[end] == ':' && rest.IndexOf(':', end + 1) >= 0)
            {
                error = "an IPv6 source is written in brackets, [ADDR]";
                return false;
            }
            address = end < 0 ? rest : rest[..end];
            rest = end < 0 ? "" : rest[end..];
        }
        if (!IPAddress.TryParse(address, out var ip) || (ip.AddressFamily != AddressFamily.InterNetwork && ip.AddressFamily != AddressFamily.InterNetworkV6))
        {
            error = $"'{address}' is not an IPv4 or IPv6 address";
            return false;
        }
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        int bits = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = bits;
        if (rest.StartsWith('/'))
        {
            int end = rest.IndexOf(':', StringComparison.Ordinal);
            string p = end < 0 ? rest[1..] : rest[1..end];
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits)
            {
                error = $"the prefix must be 0..{bits} (got '{p}')";
                return false;
            }
            rest = end < 0 ? "" : rest[end..];
        }
        int low = 0, high = ushort.MaxValue;
        if (rest.StartsWith(':'))
        {
            string ports = rest[1..];
            int dash = ports.IndexOf('-', StringComparison.Ordinal);
            string a = dash < 0 ? ports : ports[..dash], b = dash < 0 ? ports : ports[(dash + 1)..];
            if (!Port(a, out low) || !Port(b, out high) || low > high)
            {
                error = $"the ports must be PORT or LOW-HIGH within 0..65535, low <= high (got '{ports}')";
                return false;
            }
            rest = "";
        }
        if (rest.Length > 0)
        {
            error = $"unexpected '{rest}'";
            return false;
        }
        flow = new ProtectedFlow(ip, prefix, low, high);
        return true;
    }

    private static bool Port(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= ushort.MaxValue;

    private static IPAddress Masked(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }
}
