using System.Collections.Concurrent;
using Softnet.Interop;

namespace Softnet.Scheduling;

/// <summary>
/// The kernel's housekeeping cpumask (<c>isolcpus=</c>, <c>nohz_full=</c>) for one process: every thread that is not
/// a packet thread — the thread pool, the admin server, timers, the main thread, the runtime's own threads — runs on
/// the housekeeping CPUs, and the packet threads run on the others. Under a CPU budget the packet CPU's breaks are
/// what every other task there shares; a control-plane request that costs several breaks' worth of CPU takes them
/// from the competing work. Threads inherit their creator's affinity, so a thread a packet thread creates (a thread
/// pool worker it wakes, the runtime's tiering worker) starts on the packet CPU: a sweep of <c>/proc/self/task</c>
/// at start and every <see cref="SweepPeriod"/> after moves every thread that is not a packet thread to the
/// housekeeping CPUs.
/// </summary>
internal sealed class Housekeeping : IDisposable
{
    /// <summary>How often threads created since the last sweep are moved off the packet CPUs.</summary>
    public static readonly TimeSpan SweepPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>The packet threads of every stack in the process, by OS thread id: no sweep ever moves them.</summary>
    private static readonly ConcurrentDictionary<int, byte> s_packetThreads = new();

    /// <summary>The thread ids a sweep lists, kept from one sweep to the next; used under the sweeps' lock.</summary>
    private static int[] s_tids = new int[64];

    private readonly byte[] _housekeepingMask;
    private readonly byte[] _packetMask;
    private readonly byte[] _allowedMask;
    private readonly Timer _sweeper;

    private Housekeeping(int[] housekeeping, int[] packet, IReadOnlyList<int> allowed)
    {
        PacketCpus = packet;
        _housekeepingMask = Mask(housekeeping);
        _packetMask = Mask(packet);
        _allowedMask = Mask([.. allowed]);
        Sweep(_housekeepingMask, null);
        _sweeper = new Timer(_ => Sweep(_housekeepingMask, null), null, SweepPeriod, SweepPeriod);
    }

    /// <summary>The CPUs left to the packet threads: the allowed ones outside the housekeeping CPUs.</summary>
    public int[] PacketCpus { get; }

    /// <summary>Moves every thread of the process but the packet threads to the housekeeping CPUs of <paramref name="text"/> and keeps them there until disposed.</summary>
    public static Housekeeping Start(string text, IReadOnlyList<int> allowed, string option)
    {
        var (housekeeping, packet) = CpuList.SplitHousekeeping(text, allowed, option);
        return new(housekeeping, packet, allowed);
    }

    /// <summary>
    /// Registers the calling thread as a packet thread, so no sweep moves it, and pins it to <paramref name="osCpu"/>,
    /// or when that is negative (a NAPI thread, which the kernel does not bind to a CPU either) to all the packet CPUs
    /// rather than its creator's affinity. Under the sweeps' lock: a sweep that listed the thread before it was
    /// registered cannot move it after it pinned itself.
    /// </summary>
    public unsafe void EnterPacketThread(int osCpu)
    {
        var mask = osCpu >= 0 ? Mask([osCpu]) : _packetMask;
        lock (s_packetThreads)
        {
            s_packetThreads[Libc.GetTid()] = 0;
            fixed (byte* m = mask)
                Libc.SchedSetAffinity(0, Libc.CpuSetBytes, m);
        }
    }

    /// <summary>Forgets the calling packet thread as it ends (its id may be reused by a thread the sweeps must move).</summary>
    public static void LeavePacketThread() => s_packetThreads.TryRemove(Libc.GetTid(), out _);

    /// <summary>Stops the sweeps and gives the threads on the housekeeping CPUs back every CPU the process was allowed at start.</summary>
    public void Dispose()
    {
        using (var stopped = new ManualResetEvent(false))
        {
            _sweeper.Dispose(stopped);
            stopped.WaitOne();
        }
        Sweep(_allowedMask, _housekeepingMask);
    }

    /// <summary>Sets <paramref name="wanted"/> on every thread but the packet threads whose affinity is not that already and, when <paramref name="only"/> is set, is that one.</summary>
    private static unsafe void Sweep(byte[] wanted, byte[]? only)
    {
        byte* current = stackalloc byte[Libc.CpuSetBytes];
        lock (s_packetThreads)
        {
            fixed (byte* mask = wanted)
            {
                int count = ProcessTasks.List(ref s_tids);
                for (int i = 0; i < count; i++)
                {
                    int tid = s_tids[i];
                    if (s_packetThreads.ContainsKey(tid))
                        continue;
                    // One syscall per thread per sweep when nothing changed; the set only for a thread not yet moved.
                    if (Libc.SchedGetAffinity(tid, Libc.CpuSetBytes, current) != 0)
                        continue;
                    var now = new ReadOnlySpan<byte>(current, Libc.CpuSetBytes);
                    if (now.SequenceEqual(wanted) || (only is not null && !now.SequenceEqual(only)))
                        continue;
                    // A thread that ended since the listing fails (ESRCH): nothing to move.
                    Libc.SchedSetAffinity(tid, Libc.CpuSetBytes, mask);
                }
            }
        }
    }

    private static byte[] Mask(int[] cpus)
    {
        var mask = new byte[Libc.CpuSetBytes];
        foreach (int cpu in cpus)
            mask[cpu >> 3] |= (byte)(1 << (cpu & 7));
        return mask;
    }
}
