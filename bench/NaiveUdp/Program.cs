// The baseline a .NET user writes without Softnet: one socket, one thread, Socket.ReceiveFrom(buffer, ref EndPoint).
// Like `softnet run --device udp --prefill N`, it queues N datagrams first, then times the drain from the first
// datagram to the last, and prints one JSON line.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

int count = args.Length >= 2 && args[0] == "--count" ? int.Parse(args[1]) : 200_000;
const int Size = 64;
const int SolSocket = 1;
const int SoRcvbufForce = 33;

using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
int buffer = (int)Math.Min(int.MaxValue / 2, (long)count * 1280 / 2);
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
for (int i = 0; i < count; i++)
    senders[i % senders.Length].SendTo(payload, target);

var data = new byte[2048];
EndPoint from = new IPEndPoint(IPAddress.Any, 0);
receiver.ReceiveTimeout = 1000;
long first = 0, last = 0;
int received = 0;
try
{
    while (received < count)
    {
        receiver.ReceiveFrom(data, ref from);
        last = Stopwatch.GetTimestamp();
        if (received++ == 0)
            first = last;
    }
}
catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
{
    // Fewer arrived than were sent: the buffer overflowed while prefilling; reported below.
}
double seconds = (last - first) / (double)Stopwatch.Frequency;
Console.WriteLine($"{{\"receiver\":\"dotnet-receivefrom\",\"queues\":1,\"count\":{count},\"received\":{received},\"seconds\":{seconds:F6},\"pps\":{(seconds > 0 ? received / seconds : 0):F0}}}");
foreach (var s in senders)
    s.Dispose();
return received == count ? 0 : 2;
