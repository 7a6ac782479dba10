// The baseline a .NET user writes without Softnet: one socket, one thread, Socket.ReceiveFrom(buffer, ref EndPoint).
//   --count N                 like `softnet run --device udp --prefill N`: queues N datagrams first, then times the
//                             drain from the first datagram to the last, after the same untimed warm-up drains.
//   --rate PPS --seconds S    the receive side at a fixed load, for CPU time per packet: a sender thread named
//                             udp-load/0 (as softnet run's senders, so a CPU reading from /proc/PID/task can leave it
//                             out) offers PPS datagrams/s for S seconds, paced by softnet run's own Pacer (bursts
//                             of up to 8, from 64 source sockets in turn), while the main thread receives.
// Prints one JSON line.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

int count = 200_000;
long rate = 0;
int streamSeconds = 0;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    long value = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
    switch (args[i])
    {
        case "--count": count = (int)value; break;
        case "--rate": rate = value; break;
        case "--seconds": streamSeconds = (int)value; break;
        default: Console.Error.WriteLine($"NaiveUdp: unknown option {args[i]}; options: --count N | --rate PPS --seconds S"); return 1;
    }
}
if ((rate > 0) != (streamSeconds > 0))
{
    Console.Error.WriteLine("NaiveUdp: --rate and --seconds go together");
    return 1;
}
const int Size = 64;
const int SolSocket = 1;
const int SoRcvbufForce = 33;

using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
int buffer = rate > 0 ? 8 << 20 : (int)Math.Min(int.MaxValue / 2, (long)count * 1280 / 2);
try
{
    receiver.SetRawSocketOption(SolSocket, SoRcvbufForce, BitConverter.GetBytes(buffer));
}
catch (SocketException)
{
    receiver.ReceiveBufferSize = buffer;
}
receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
var target = receiver.LocalEndPoint!;

var payload = new byte[Size];
var senders = Enumerable.Range(0, 64).Select(_ =>
{
    var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    return s;
}).ToArray();

if (rate > 0)
    return Stream(rate, streamSeconds);

// As softnet run --prefill: untimed warm-up drains in this process until the JIT compiles nothing while two drains in a
// row drain (at most 6), each drain starting after the JIT was quiet for 250 ms, so the timed drain runs optimised code.
int warm = Math.Min(count, 200_000);
for (int round = 1, quiet = 0; round <= 6 && quiet < 2; round++)
{
    var (warmed, _, compiled) = Drain(warm);
    Console.Error.WriteLine($"NaiveUdp: warm-up {round}: {warmed} of {warm} received, the JIT compiled {compiled} methods during the drain");
    if (warmed != warm)
        return 2;
    quiet = compiled == 0 ? quiet + 1 : 0;
}
var (received, elapsed, _) = Drain(count);
double seconds = elapsed;
Console.WriteLine($"{{\"receiver\":\"dotnet-receivefrom\",\"queues\":1,\"count\":{count},\"received\":{received},\"seconds\":{seconds:F6},\"pps\":{(seconds > 0 ? received / seconds : 0):F0}}}");
foreach (var s in senders)
    s.Dispose();
return received == count ? 0 : 2;

// Queues n datagrams, waits for the JIT to be quiet, then times their drain from the first datagram to the last.
(int Received, double Seconds, long Compiled) Drain(int n)
{
    for (int i = 0; i < n; i++)
        senders[i % senders.Length].SendTo(payload, target);
    var quiet = Stopwatch.StartNew();
    long methods = System.Runtime.JitInfo.GetCompiledMethodCount();
    var since = quiet.Elapsed;
    while (quiet.Elapsed - since < TimeSpan.FromMilliseconds(250) && quiet.Elapsed < TimeSpan.FromSeconds(10))
    {
        Thread.Sleep(20);
        long now = System.Runtime.JitInfo.GetCompiledMethodCount();
        if (now != methods)
        {
            methods = now;
            since = quiet.Elapsed;
        }
    }
    var data = new byte[2048];
    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
    receiver.ReceiveTimeout = 1000;
    long first = 0, last = 0;
    int received = 0;
    long before = System.Runtime.JitInfo.GetCompiledMethodCount();
    try
    {
        while (received < n)
        {
            receiver.ReceiveFrom(data, ref from);
            last = Stopwatch.GetTimestamp();
            if (received++ == 0)
                first = last;
        }
    }
    catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
    {
        // Fewer arrived than were sent: the buffer overflowed while prefilling; reported by the caller.
    }
    return (received, (last - first) / (double)Stopwatch.Frequency, System.Runtime.JitInfo.GetCompiledMethodCount() - before);
}

int Stream(long pps, int secs)
{
    long sent = 0;
    var sender = new Thread(() =>
    {
        long begin = NowNs();
        long end = begin + secs * 1_000_000_000L;
        var pacer = new Softnet.Load.Pacer(pps, 8, begin);
        for (int next = 0; ; next = (next + 1) % senders.Length)
        {
            long now = NowNs();
            if (now >= end)
                break;
            int n = pacer.Take(now);
            if (n == 0)
            {
                pacer.Wait();
                continue;
            }
            for (int i = 0; i < n; i++)
                senders[next].SendTo(payload, target);
            sent += n;
        }
    })
    { Name = "udp-load/0" };
    var data = new byte[2048];
    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
    receiver.ReceiveTimeout = 200;
    long received = 0;
    sender.Start();
    while (true)
    {
        try
        {
            receiver.ReceiveFrom(data, ref from);
            received++;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            if (!sender.IsAlive)
                break;
        }
    }
    sender.Join();
    Console.WriteLine($"{{\"receiver\":\"dotnet-receivefrom\",\"queues\":1,\"rate\":{pps},\"seconds\":{secs},\"sent\":{sent},\"received\":{received}}}");
    foreach (var s in senders)
        s.Dispose();
    return 0;
}

static long NowNs() => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
