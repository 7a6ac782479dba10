using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Softnet.Devices.Udp;
using Softnet.Interop;
using Softnet.Scheduling;

namespace Softnet.Tests.Udp;

/// <summary>Loopback plumbing shared by the UDP tests: plain senders, receive batches and bounded receive loops.</summary>
internal static class Loopback
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    public static Socket Sender(AddressFamily family)
    {
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, 0));
        return socket;
    }

    /// <summary>
    /// 127.0.0.1 with a port no socket holds, for a reuseport group: bind(0) with SO_REUSEPORT may return a port of
    /// another group of the same user (another test, another process) and join it. Without SO_REUSEPORT it cannot.
    /// </summary>
    public static IPEndPoint UnusedPort()
    {
        using var probe = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        return probe.LocalEndPoint;
    }

    public static MessageBatch ReceiveBatch(int capacity, int bufferBytes)
    {
        var batch = new MessageBatch(capacity);
        for (int i = 0; i < capacity; i++)
            batch.SetBuffer(i, GC.AllocateArray<byte>(bufferBytes, pinned: true));
        return batch;
    }

    /// <summary>The first non-empty receive of up to <paramref name="want"/> datagrams; 0 if none came in time.</summary>
    public static int ReceiveSome(MessageBatch batch, UdpSocket socket, int want = 1)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            int n = batch.Receive(socket.Fd, Math.Min(want, batch.Capacity));
            Assert.True(n >= 0, $"recvmmsg: {(n < 0 ? Errno.Describe(-n) : "")}");
            if (n > 0)
                return n;
            Thread.Sleep(1);
        }
        return 0;
    }

    /// <summary>Whether lo's receive softirq runs on the sending CPU, i.e. RPS does not move it elsewhere.</summary>
    public static bool ReceivesOnSendingCpu()
    {
        const string rpsCpus = "/sys/class/net/lo/queues/rx-0/rps_cpus";
        return !File.Exists(rpsCpus) || File.ReadAllText(rpsCpus).Trim().All(c => c is '0' or ',');
    }

    public static bool CanRunOn(int cpu) => SystemPlatform.Instance.AllowedOsCpus().Contains(cpu);

    /// <summary>Sends from a thread pinned to <paramref name="cpu"/>, from <paramref name="senders"/> source ports.</summary>
    public static unsafe bool SendPinned(int cpu, IPEndPoint destination, int senders, int each)
    {
        bool pinned = false;
        var thread = new Thread(() =>
        {
            byte* mask = stackalloc byte[Libc.CpuSetBytes];
            new Span<byte>(mask, Libc.CpuSetBytes).Clear();
            mask[cpu >> 3] = (byte)(1 << (cpu & 7));
            if (Libc.SchedSetAffinity(0, Libc.CpuSetBytes, mask) != 0 || Libc.SchedGetCpu() != cpu)
                return;
            pinned = true;
            for (int s = 0; s < senders; s++)
            {
                using var sender = Sender(destination.AddressFamily);
                for (int i = 0; i < each; i++)
                    sender.SendTo(BitConverter.GetBytes(cpu), destination);
            }
        });
        thread.Start();
        Assert.True(thread.Join(Patience));
        return pinned;
    }
}
