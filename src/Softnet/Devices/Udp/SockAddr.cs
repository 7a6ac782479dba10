using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Softnet.Interop;

namespace Softnet.Devices.Udp;

/// <summary>Conversions between <see cref="IPEndPoint"/> and the raw sockaddr_in / sockaddr_in6 bytes the kernel uses.</summary>
internal static class SockAddr
{
    /// <summary>Writes the sockaddr for <paramref name="endPoint"/> into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(IPEndPoint endPoint, Span<byte> destination)
    {
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            var sin = default(Libc.SockaddrIn);
            sin.Family = Libc.AF_INET;
            sin.Port = BinaryPrimitives.ReverseEndianness((ushort)endPoint.Port);
            endPoint.Address.TryWriteBytes(MemoryMarshal.AsBytes(new Span<uint>(ref sin.Address)), out _);
            MemoryMarshal.Write(destination, in sin);
            return Libc.SockaddrInBytes;
        }
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var sin6 = default(Libc.SockaddrIn6);
            sin6.Family = Libc.AF_INET6;
            sin6.Port = BinaryPrimitives.ReverseEndianness((ushort)endPoint.Port);
            sin6.ScopeId = (uint)endPoint.Address.ScopeId;
            unsafe
            {
                endPoint.Address.TryWriteBytes(new Span<byte>(sin6.Address, 16), out _);
            }
            MemoryMarshal.Write(destination, in sin6);
            return Libc.SockaddrIn6Bytes;
        }
        throw new ArgumentException($"{endPoint}: only IPv4 and IPv6 endpoints have a sockaddr here", nameof(endPoint));
    }

    /// <summary>The endpoint a sockaddr_in or sockaddr_in6 names (allocates: call it only when the endpoint is wanted).</summary>
    public static IPEndPoint Read(ReadOnlySpan<byte> sockaddr)
    {
        ushort family = sockaddr.Length >= sizeof(ushort) ? MemoryMarshal.Read<ushort>(sockaddr) : (ushort)0;
        if (family == Libc.AF_INET && sockaddr.Length >= Libc.SockaddrInBytes)
        {
            var sin = MemoryMarshal.Read<Libc.SockaddrIn>(sockaddr);
            return new IPEndPoint(new IPAddress(sockaddr.Slice(4, 4)), BinaryPrimitives.ReverseEndianness(sin.Port));
        }
        if (family == Libc.AF_INET6 && sockaddr.Length >= Libc.SockaddrIn6Bytes)
        {
            var sin6 = MemoryMarshal.Read<Libc.SockaddrIn6>(sockaddr);
            return new IPEndPoint(new IPAddress(sockaddr.Slice(8, 16), sin6.ScopeId), BinaryPrimitives.ReverseEndianness(sin6.Port));
        }
        throw new ArgumentException($"not an IPv4 or IPv6 sockaddr (family {family}, {sockaddr.Length} bytes)", nameof(sockaddr));
    }
}
