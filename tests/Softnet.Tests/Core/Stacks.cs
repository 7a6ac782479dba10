using System.Buffers.Binary;
using System.Collections.Concurrent;
using Softnet.Core;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>Stack construction and packet helpers shared by the core tests.</summary>
internal static class Stacks
{
    /// <summary>Options for a stack of <paramref name="cpus"/> virtual CPUs on the test platform, unpinned, logging into <paramref name="log"/>.</summary>
    public static NetStackOptions Options(int cpus, KickMode mode = KickMode.Softirq, ConcurrentQueue<string>? log = null) => new()
    {
        Cpus = cpus,
        Mode = mode,
        Pin = false,
        Platform = new TestPlatform(cpus),
        Log = log is null ? static _ => { }
        : log.Enqueue,
    };

    /// <summary>A handler that does nothing.</summary>
    public static void Ignore(ReadOnlySpan<Packet> batch, int cpu)
    {
    }

    public static void WriteFlow(Packet p, int flow, int seq, uint hash)
    {
        BinaryPrimitives.WriteInt32LittleEndian(p.Buffer, flow);
        BinaryPrimitives.WriteInt32LittleEndian(p.Buffer[4..], seq);
        p.SetLength(8);
        p.FlowHash = hash;
    }

    public static int Flow(Packet p) => BinaryPrimitives.ReadInt32LittleEndian(p.Data);

    public static int Seq(Packet p) => BinaryPrimitives.ReadInt32LittleEndian(p.Data[4..]);

    /// <summary>
    /// A flow hash whose flow-limit bucket is <paramref name="bucket"/> in a table of <paramref name="tableLen"/>:
    /// the inverse of the kernel's hash_32 (multiplication by GOLDEN_RATIO_32, top bits kept).
    /// </summary>
    public static uint HashForBucket(int bucket, int tableLen)
    {
        const uint golden = 0x61C88647u;
        uint inverse = golden; // Newton's iteration for the inverse modulo 2^32
        for (int i = 0; i < 5; i++)
            inverse *= 2 - golden * inverse;
        int bits = System.Numerics.BitOperations.Log2((uint)tableLen);
        return ((uint)bucket << (32 - bits)) * inverse;
    }

    /// <summary>The bucket the kernel's hash_32 gives <paramref name="hash"/> in a table of <paramref name="tableLen"/>.</summary>
    public static int Bucket(uint hash, int tableLen) =>
        (int)((hash * 0x61C88647u) >> (32 - System.Numerics.BitOperations.Log2((uint)tableLen)));
}

/// <summary>Sends packets of one flow, numbered from <see cref="NextSeq"/>.</summary>
internal struct OneFlowWriter(int flow, uint hash, int firstSeq) : IPacketWriter
{
    public int NextSeq = firstSeq;

    public void Write(int index, Packet packet) => Stacks.WriteFlow(packet, flow, NextSeq++, hash);
}
