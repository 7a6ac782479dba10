using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Softnet.Interop;

namespace Softnet.Devices.Udp;

/// <summary>
/// Writes a sockaddr as text into a caller's buffer, with no allocation: IPv4 as <c>a.b.c.d:port</c>, an IPv4-mapped
/// IPv6 address (what a dual-stack socket reports for an IPv4 peer) the same way, other IPv6 addresses in RFC 5952 form
/// (lower-case hex, the longest run of two or more zero groups as <c>::</c>) as <c>[addr%scope]:port</c>.
/// </summary>
internal static class EndpointFormat
{
    /// <summary>Longest text written: a full IPv6 address, a 10-digit scope, brackets and a port.</summary>
    public const int MaxChars = 64;

    public static bool TryWrite(ReadOnlySpan<byte> sockaddr, Span<char> destination, out int written)
    {
        var text = new Writer(destination);
        ushort family = sockaddr.Length >= 2 ? MemoryMarshal.Read<ushort>(sockaddr) : (ushort)0;
        if (family == Libc.AF_INET && sockaddr.Length == Libc.SockaddrInBytes)
        {
            IPv4(ref text, sockaddr.Slice(4, 4));
        }
        else if (family == Libc.AF_INET6 && sockaddr.Length == Libc.SockaddrIn6Bytes)
        {
            var address = sockaddr.Slice(8, 16);
            if (address[..10].IndexOfAnyExcept((byte)0) < 0 && address[10] == 0xff && address[11] == 0xff)
            {
                IPv4(ref text, address[12..]);
            }
            else
            {
                text.Char('[');
                IPv6(ref text, address);
                uint scope = MemoryMarshal.Read<uint>(sockaddr[24..]);
                if (scope != 0)
                {
                    text.Char('%');
                    text.Number(scope, 10);
                }
                text.Char(']');
            }
        }
        else
        {
            written = 0;
            return false;
        }

        text.Char(':');
        text.Number(BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]), 10);
        written = text.Written;
        return !text.Overflowed;
    }

    private static void IPv4(ref Writer text, ReadOnlySpan<byte> address)
    {
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
                text.Char('.');
            text.Number(address[i], 10);
        }
    }

    private static void IPv6(ref Writer text, ReadOnlySpan<byte> address)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
            groups[i] = BinaryPrimitives.ReadUInt16BigEndian(address[(2 * i)..]);
        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            int start = i;
            while (i < 8 && groups[i] == 0)
                i++;
            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                text.Char(':');
                text.Char(':');
                i += bestLength - 1;
                continue;
            }

            if (i > 0 && i != bestStart + bestLength)
                text.Char(':');
            text.Number(groups[i], 16);
        }
    }

    private ref struct Writer(Span<char> destination)
    {
        private readonly Span<char> _destination = destination;

        public int Written { get; private set; }

        public bool Overflowed { get; private set; }

        public void Char(char c)
        {
            if (Written < _destination.Length)
                _destination[Written++] = c;
            else
                Overflowed = true;
        }

        public void Number(uint value, uint radix)
        {
            Span<char> digits = stackalloc char[10];
            int n = 0;
            do
            {
                uint digit = value % radix;
                digits[n++] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
                value /= radix;
            }
            while (value != 0);
            while (n > 0)
                Char(digits[--n]);
        }
    }
}
