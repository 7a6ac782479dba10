using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Softnet.Interop;

namespace Softnet.Steering;

/// <summary>The flow hash RPS steers by (skb_get_hash, over the flow dissector's keys): a keyed hash of a datagram's 4-tuple.</summary>
internal static class FlowDissector
{
    /// <summary>
    /// Keyed per process like the kernel's hashrnd, so how flows spread over CPUs is not a fixed property of the
    /// addresses that a sender could aim for.
    /// </summary>
    private static readonly ulong HashSeed = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(sizeof(ulong)));

    /// <summary>
    /// A 32-bit hash of the 4-tuple a datagram belongs to, from the sender's sockaddr and the receiving socket's
    /// own (the local half hardly varies but keeps the hash of one remote port distinct across local ports).
    /// Never 0, since 0 means "no hash" to steering.
    /// </summary>
    public static uint Hash(ReadOnlySpan<byte> source, ReadOnlySpan<byte> local)
    {
        ulong h = HashSeed;
        Absorb(ref h, source);
        Absorb(ref h, local);
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        uint hash = (uint)h;
        return hash == 0 ? 1 : hash;
    }

    private static void Absorb(ref ulong h, ReadOnlySpan<byte> sockaddr)
    {
        ushort family = sockaddr.Length >= sizeof(ushort) ? MemoryMarshal.Read<ushort>(sockaddr) : (ushort)0;
        ReadOnlySpan<byte> address;
        if (family == Libc.AF_INET && sockaddr.Length >= Libc.SockaddrInBytes)
            address = sockaddr.Slice(4, 4);
        else if (family == Libc.AF_INET6 && sockaddr.Length >= Libc.SockaddrIn6Bytes)
            address = sockaddr.Slice(8, 16);
        else
        {
            // Not an IP sockaddr: no fields to pick, so every byte counts.
            foreach (byte b in sockaddr)
                h = Mix(h, b);
            return;
        }
        // Port and address only: sin_zero, the flow label and the scope are not part of the flow.
        h = Mix(h, ((ulong)family << 16) | MemoryMarshal.Read<ushort>(sockaddr[2..]));
        for (; !address.IsEmpty; address = address[sizeof(uint)..])
            h = Mix(h, MemoryMarshal.Read<uint>(address));
    }

    private static ulong Mix(ulong h, ulong word)
    {
        h = (h ^ word) * 0x9e3779b97f4a7c15UL;
        return h ^ (h >> 29);
    }
}
