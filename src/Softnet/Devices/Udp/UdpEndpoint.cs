using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Softnet.Core;
using Softnet.Interop;

namespace Softnet.Devices.Udp;

/// <summary>
/// A UDP peer held as the kernel's own sockaddr_in or sockaddr_in6 bytes, inline. A handler can take a packet's
/// source, keep it, compare it, format it into a caller's buffer and send to it without allocating; convert to an
/// <see cref="IPEndPoint"/> (which allocates) only when one is wanted.
/// </summary>
public readonly struct UdpEndpoint : IEquatable<UdpEndpoint>, ISpanFormattable
{
    private readonly SockAddrBytes _bytes;
    private readonly byte _length;

    private UdpEndpoint(ReadOnlySpan<byte> sockaddr)
    {
        sockaddr.CopyTo(_bytes);
        _length = (byte)sockaddr.Length;
    }

    /// <summary>The source of <paramref name="packet"/>; <see cref="IsEmpty"/> for a packet that came from no socket (a loopback device's).</summary>
    public static UdpEndpoint SourceOf(Packet packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var source = packet.SourceAddress;
        return IsIp(source) ? new UdpEndpoint(source) : default;
    }

    /// <summary>The endpoint for <paramref name="endPoint"/> (an IPv4 or IPv6 address and port).</summary>
    public static UdpEndpoint From(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        Span<byte> sockaddr = stackalloc byte[Packet.MaxAddressBytes];
        int length = SockAddr.Write(endPoint, sockaddr);
        return new UdpEndpoint(sockaddr[..length]);
    }

    /// <summary>No address: the default value, or the source of a packet no socket received.</summary>
    public bool IsEmpty => _length == 0;

    /// <summary><see cref="AddressFamily.InterNetwork"/>, <see cref="AddressFamily.InterNetworkV6"/>, or <see cref="AddressFamily.Unspecified"/> when empty.</summary>
    public AddressFamily AddressFamily => _length == Libc.SockaddrInBytes ? AddressFamily.InterNetwork
        : _length == Libc.SockaddrIn6Bytes ? AddressFamily.InterNetworkV6
        : AddressFamily.Unspecified;

    /// <summary>The UDP port (0 when empty).</summary>
    public int Port => _length == 0 ? 0 : BinaryPrimitives.ReadUInt16BigEndian(Bytes[2..]);

    /// <summary>The raw sockaddr, as sendmmsg takes it.</summary>
    [UnscopedRef]
    internal ReadOnlySpan<byte> Bytes => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _bytes[0]), _length);

    /// <summary>An IPv4 endpoint as the sockaddr_in6 of its IPv4-mapped address (<c>::ffff:a.b.c.d</c>), for an IPv6 socket.</summary>
    internal ReadOnlySpan<byte> WriteMappedIPv6(Span<byte> destination)
    {
        var sin6 = destination[..Libc.SockaddrIn6Bytes];
        sin6.Clear();
        MemoryMarshal.Write(sin6, (ushort)Libc.AF_INET6);
        Bytes.Slice(2, 2).CopyTo(sin6[2..]);
        sin6[18] = 0xff;
        sin6[19] = 0xff;
        Bytes.Slice(4, 4).CopyTo(sin6[20..]);
        return sin6;
    }

    /// <summary>As an <see cref="IPEndPoint"/> (allocates).</summary>
    public IPEndPoint ToIPEndPoint() => _length == 0
        ? throw new InvalidOperationException("the endpoint is empty")
        : SockAddr.Read(Bytes);

    /// <summary>Writes <c>192.0.2.1:8125</c> or <c>[2001:db8::1]:8125</c> (an IPv4-mapped address as IPv4) into <paramref name="destination"/>.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten) => EndpointFormat.TryWrite(Bytes, destination, out charsWritten);

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>The endpoint as text (allocates); see <see cref="TryFormat(Span{char}, out int)"/>.</summary>
    public override string ToString()
    {
        Span<char> text = stackalloc char[EndpointFormat.MaxChars];
        return TryFormat(text, out int written) ? new string(text[..written]) : "";
    }

    /// <inheritdoc />
    public bool Equals(UdpEndpoint other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is UdpEndpoint other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Equal when family, address, port (and IPv6 scope) are.</summary>
    public static bool operator ==(UdpEndpoint left, UdpEndpoint right) => left.Equals(right);

    /// <summary>Not <see cref="operator ==(UdpEndpoint, UdpEndpoint)"/>.</summary>
    public static bool operator !=(UdpEndpoint left, UdpEndpoint right) => !left.Equals(right);

    private static bool IsIp(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < sizeof(ushort))
            return false;
        ushort family = MemoryMarshal.Read<ushort>(sockaddr);
        return (family == Libc.AF_INET && sockaddr.Length == Libc.SockaddrInBytes) || (family == Libc.AF_INET6 && sockaddr.Length == Libc.SockaddrIn6Bytes);
    }

    [InlineArray(Packet.MaxAddressBytes)]
    private struct SockAddrBytes
    {
        private byte _first;
    }
}
