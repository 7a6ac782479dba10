using Softnet.Interop;
using Softnet.Overload;

namespace Softnet.Devices.Udp;

/// <summary>
/// The classic BPF program a UDP device attaches to its reuseport group (SO_ATTACH_REUSEPORT_CBPF); its return value
/// is the index, in bind order, of the socket that gets the datagram. The kernel runs it with the UDP payload at
/// offset 0 (run_bpf_filter pulls the UDP header first), so the source address and port are read below the payload,
/// relative to the network header (SKF_NET_OFF). In order: a datagram from a protected source goes to the protected
/// socket; while shedding, a random share goes to the shed socket, which refuses everything; the rest goes to the
/// receiving CPU's queue (RSS). Every path returns an index inside the group: an index past it would fall back to the
/// kernel's hash over all sockets, protected and shed ones included.
/// </summary>
internal static class ReuseportProgram
{
    private const int SKF_NET_OFF = -0x100000;
    private const int SKF_AD_RANDOM = 56;
    private const ushort BPF_H = 0x08;
    private const ushort BPF_B = 0x10;
    private const ushort BPF_IND = 0x40;
    private const ushort BPF_MSH = 0xa0;
    private const ushort BPF_LDX = 0x01;
    private const ushort BPF_JMP = 0x05;
    private const ushort BPF_JA = 0x00;
    private const ushort BPF_JEQ = 0x10;
    private const ushort BPF_JGT = 0x20;
    private const ushort BPF_JGE = 0x30;
    private const ushort BPF_ADD = 0x00;
    private const ushort BPF_AND = 0x50;
    private const ushort BPF_RSH = 0x70;
    private const int IPPROTO_UDP = 17;

    /// <summary>Shares are drawn per mille from SKF_AD_RANDOM.</summary>
    public const int ShedScale = 1000;

    /// <summary>
    /// Builds the program. <paramref name="protectedIndex"/> is the protected socket's index (ignored without
    /// flows); <paramref name="shedIndex"/> and <paramref name="shedPerMille"/> send that share of the rest to the
    /// shed socket (0: no shedding); the others go to <c>firstQueue + CPU mod queues</c>.
    /// </summary>
    public static Libc.SockFilter[] Build(
        IReadOnlyList<ProtectedFlow> flows, int protectedIndex, int shedIndex, int shedPerMille, int firstQueue, int queues)
    {
        var p = new List<Libc.SockFilter>();
        var toUnprotected = new List<int>();
        if (flows.Count > 0)
        {
            var v4 = flows.Where(f => f.IsIPv4).ToArray();
            var v6 = flows.Where(f => !f.IsIPv4).ToArray();
            // A = IP version.
            Emit(p, Libc.BPF_LD | BPF_B | Libc.BPF_ABS, SKF_NET_OFF);
            Emit(p, Libc.BPF_ALU | BPF_RSH | Libc.BPF_K, 4);
            int v4Jump = p.Count;
            Jump(p, BPF_JEQ, 4, 0, 1);
            Emit(p, BPF_JMP | BPF_JA, 0);
            int v6Jump = p.Count;
            Jump(p, BPF_JEQ, 6, 0, 1);
            Emit(p, BPF_JMP | BPF_JA, 0);
            toUnprotected.Add(p.Count);
            Emit(p, BPF_JMP | BPF_JA, 0);

            Patch(p, v4Jump + 1, p.Count);
            // X = IPv4 header length, so the UDP header is at X.
            Emit(p, BPF_LDX | BPF_B | BPF_MSH, SKF_NET_OFF);
            foreach (var f in v4)
                Rule(p, f, protectedIndex, ipv4: true);
            toUnprotected.Add(p.Count);
            Emit(p, BPF_JMP | BPF_JA, 0);

            Patch(p, v6Jump + 1, p.Count);
            if (v6.Length > 0)
            {
                // Extension headers would move the UDP header: only a fixed header followed by UDP is matched.
                Emit(p, Libc.BPF_LD | BPF_B | Libc.BPF_ABS, SKF_NET_OFF + 6);
                Jump(p, BPF_JEQ, IPPROTO_UDP, 1, 0);
                toUnprotected.Add(p.Count);
                Emit(p, BPF_JMP | BPF_JA, 0);
                foreach (var f in v6)
                    Rule(p, f, protectedIndex, ipv4: false);
            }
            toUnprotected.Add(p.Count);
            Emit(p, BPF_JMP | BPF_JA, 0);
        }
        foreach (int at in toUnprotected)
            Patch(p, at, p.Count);
        if (shedPerMille > 0)
        {
            Emit(p, Libc.BPF_LD | Libc.BPF_W | Libc.BPF_ABS, Libc.SKF_AD_OFF + SKF_AD_RANDOM);
            Emit(p, Libc.BPF_ALU | Libc.BPF_MOD | Libc.BPF_K, ShedScale);
            Jump(p, BPF_JGE, shedPerMille, 1, 0);
            Emit(p, Libc.BPF_RET | Libc.BPF_K, shedIndex);
        }
        Emit(p, Libc.BPF_LD | Libc.BPF_W | Libc.BPF_ABS, Libc.SKF_AD_OFF + Libc.SKF_AD_CPU);
        Emit(p, Libc.BPF_ALU | Libc.BPF_MOD | Libc.BPF_K, queues);
        if (firstQueue > 0)
            Emit(p, Libc.BPF_ALU | BPF_ADD | Libc.BPF_K, firstQueue);
        Emit(p, Libc.BPF_RET | Libc.BPF_A, 0);
        return [.. p];
    }

    /// <summary>One flow: every check jumps past the rule on a mismatch; a match returns the protected index.</summary>
    private static void Rule(List<Libc.SockFilter> p, ProtectedFlow f, int protectedIndex, bool ipv4)
    {
        var checks = new List<(int Offset, uint Mask, uint Value)>();
        var network = f.Network.GetAddressBytes();
        int words = network.Length / 4;
        int addressOffset = ipv4 ? 12 : 8;
        for (int w = 0; w < words; w++)
        {
            int bits = Math.Clamp(f.PrefixLength - (w * 32), 0, 32);
            if (bits == 0)
                continue;
            uint mask = bits == 32 ? uint.MaxValue : ~(uint.MaxValue >> bits);
            uint value = (uint)((network[w * 4] << 24) | (network[(w * 4) + 1] << 16) | (network[(w * 4) + 2] << 8) | network[(w * 4) + 3]);
            checks.Add((addressOffset + (w * 4), mask, value & mask));
        }
        var mismatches = new List<int>();
        foreach (var (offset, mask, value) in checks)
        {
            Emit(p, Libc.BPF_LD | Libc.BPF_W | Libc.BPF_ABS, SKF_NET_OFF + offset);
            if (mask != uint.MaxValue)
                Emit(p, Libc.BPF_ALU | BPF_AND | Libc.BPF_K, unchecked((int)mask));
            mismatches.Add(p.Count);
            Jump(p, BPF_JEQ, unchecked((int)value), 0, 0);
        }
        if (f.PortLow > 0 || f.PortHigh < ushort.MaxValue)
        {
            // The UDP source port: at X (the IPv4 header length) or right after the fixed IPv6 header.
            if (ipv4)
                Emit(p, Libc.BPF_LD | BPF_H | BPF_IND, SKF_NET_OFF);
            else
                Emit(p, Libc.BPF_LD | BPF_H | Libc.BPF_ABS, SKF_NET_OFF + 40);
            mismatches.Add(p.Count);
            Jump(p, BPF_JGE, f.PortLow, 0, 0);
            int high = p.Count;
            Jump(p, BPF_JGT, f.PortHigh, 0, 0);
            mismatches.Add(-high - 1);
        }
        Emit(p, Libc.BPF_RET | Libc.BPF_K, protectedIndex);
        int next = p.Count;
        foreach (int m in mismatches)
        {
            // A JEQ/JGE mismatch is its false branch; the JGT past the high port is its true branch.
            int at = m >= 0 ? m : -m - 1;
            var insn = p[at];
            int distance = next - at - 1;
            if (distance > byte.MaxValue)
                throw new ArgumentException($"protected flows: the steering program is too long (at most {ProtectedFlow.MaxPerDevice} flows)");
            if (m >= 0)
                insn.JumpFalse = (byte)distance;
            else
                insn.JumpTrue = (byte)distance;
            p[at] = insn;
        }
    }

    private static void Emit(List<Libc.SockFilter> p, int code, int k) =>
        p.Add(new Libc.SockFilter { Code = (ushort)code, K = unchecked((uint)k) });

    private static void Jump(List<Libc.SockFilter> p, ushort op, int k, byte jt, byte jf) =>
        p.Add(new Libc.SockFilter { Code = (ushort)(BPF_JMP | op | Libc.BPF_K), K = unchecked((uint)k), JumpTrue = jt, JumpFalse = jf });

    /// <summary>Points the BPF_JA at <paramref name="at"/> to <paramref name="target"/>.</summary>
    private static void Patch(List<Libc.SockFilter> p, int at, int target)
    {
        var insn = p[at];
        insn.K = (uint)(target - at - 1);
        p[at] = insn;
    }
}
