using System.Diagnostics;
using Softnet.Core;
using Softnet.Devices;

// A fixed number of packets through loopback -> RPS over 2 CPUs -> backlog -> a counting handler, for counts that do
// not depend on time: instructions under callgrind, syscalls under strace. The sender keeps at most WINDOW packets in
// flight (below netdev_max_backlog, so nothing is dropped); when the window is full it sleeps until half of it is
// delivered, so its waiting costs a few instructions per half window, not a spin. WINDOW 0 sends flat out (the drops
// are counted); SENDER_CPU=N pins the sender to CPU N once the stack's threads are started. Prints the counts and, per
// CPU, packets processed, dropped and wake-ups.
// Usage: [SENDER_CPU=N] LoopbackCount softirq|backlog-threads PACKETS [WINDOW=512]
if (args.Length < 2 || !int.TryParse(args[1], out int packets) || packets < 64)
{
    Console.Error.WriteLine("usage: LoopbackCount softirq|backlog-threads PACKETS(>=64) [WINDOW=512]");
    return 2;
}
var mode = args[0] switch
{
    "softirq" => KickMode.Softirq,
    "backlog-threads" => KickMode.BacklogThreads,
    _ => (KickMode)(-1),
};
if ((int)mode < 0)
{
    Console.Error.WriteLine($"mode must be softirq or backlog-threads (got '{args[0]}')");
    return 2;
}
int window = args.Length > 2 && int.TryParse(args[2], out int w) && (w == 0 || (w >= 64 && w <= 960)) ? w : 512;
long delivered = 0;
long wakeAt = long.MaxValue;
var gate = new object();
var stack = new NetStack(
    new NetStackOptions { Cpus = 2, Mode = mode, RpsCpus = "all", Log = static _ => { } },
    (batch, cpu) =>
    {
        if (Interlocked.Add(ref delivered, batch.Length) >= Volatile.Read(ref wakeAt))
        {
            lock (gate)
                Monitor.PulseAll(gate);
        }
    });
long waits = 0;
if (Environment.GetEnvironmentVariable("SENDER_CPU") is { } pin && int.TryParse(pin, out int pinCpu))
{
    ulong mask = 1UL << pinCpu;
    unsafe
    {
        if (Native.SchedSetaffinity(0, sizeof(ulong), &mask) != 0)
            Console.Error.WriteLine("sched_setaffinity failed; the sender runs unpinned");
    }
}
var sw = Stopwatch.StartNew();
using (stack)
{
    var device = new LoopbackDevice(stack);
    var writer = new Writer();
    long sent = 0;
    while (sent < packets)
    {
        int n = (int)Math.Min(LoopbackDevice.MaxBatch, packets - sent);
        if (window > 0 && sent + n - Volatile.Read(ref delivered) > window)
            WaitFor(sent + n - (window / 2));
        device.Send(n, ref writer);
        sent += n;
    }
    while (window == 0 && Volatile.Read(ref delivered) + stack.Snapshot().Dropped < packets && sw.Elapsed < TimeSpan.FromSeconds(120))
        Thread.Sleep(1);
    WaitFor(packets - stack.Snapshot().Dropped);
}
var s = stack.Snapshot();
Console.WriteLine($"mode {args[0]} packets {packets} window {window} delivered {s.Delivered} dropped {s.Dropped} wakeups {s.Wakeups} ipis {s.IpiSent} sender_waits {waits}");
foreach (var c in s.Cpus)
    Console.WriteLine($"  cpu {c.Cpu} processed {c.Processed} dropped {c.Dropped} wakeups {c.Wakeups}");
Console.WriteLine($"  {sw.Elapsed.TotalSeconds:F3} s; drops by reason: {string.Join(", ", s.Drops.Where(d => d.Value > 0).Select(d => $"{d.Key}={d.Value}"))}");
return s.Delivered + s.Dropped == packets ? 0 : 1;

void WaitFor(long target)
{
    lock (gate)
    {
        Volatile.Write(ref wakeAt, target);
        while (Volatile.Read(ref delivered) < target && sw.Elapsed < TimeSpan.FromSeconds(120))
        {
            waits++;
            Monitor.Wait(gate, 100);
        }
        Volatile.Write(ref wakeAt, long.MaxValue);
    }
}

/// <summary>64-byte packets over 1024 flows, round-robin; the flow hash spreads them over both CPUs.</summary>
internal struct Writer : IPacketWriter
{
    private uint _next;

    public void Write(int index, Packet packet)
    {
        uint flow = _next++ & 1023;
        packet.SetLength(64);
        packet.FlowHash = (flow + 1) * 2654435761u;
    }
}

/// <summary>sched_setaffinity for the sender, so a run can keep it on one CPU (SENDER_CPU).</summary>
internal static unsafe partial class Native
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "sched_setaffinity")]
    public static partial int SchedSetaffinity(int pid, nint size, ulong* mask);
}
