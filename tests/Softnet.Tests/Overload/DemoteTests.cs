using System.Net;
using System.Net.Sockets;
using Softnet.Core;
using Softnet.Overload;
using Softnet.Scheduling;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Overload;

/// <summary>With <c>--overload-demote</c>, SCHED_FIFO packet threads run SCHED_OTHER while their CPU is overloaded and FIFO again once it is calm.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class DemoteTests
{
    /// <summary>
    /// A threaded NAPI at FIFO 10 under a flood its 50 µs-per-datagram handler cannot keep up with (budget 20%, so the
    /// FIFO threads leave the CPU at least 80% of every 10 ms): its thread demotes itself to SCHED_OTHER. Once the
    /// flood stops and the CPUs are normal again, the next datagram finds the thread promoting itself back to FIFO.
    /// </summary>
    [RealtimeFact]
    public void AnOverloadedFifoThread_RunsOther_UntilCalm()
    {
        using var stop = new CancellationTokenSource();
        long handled = 0, sent = 0;
        var stack = new NetStack(
            new NetStackOptions { Cpus = 2, RtPriority = 10, Overload = OverloadMode.Auto, OverloadCpuShare = 20, OverloadDemote = true, Log = static _ => { } },
            (batch, _) =>
            {
                Spin.For(TimeSpan.FromMicroseconds(50) * batch.Length);
                Interlocked.Add(ref handled, batch.Length);
            });
        try
        {
            var dev = Devices.Udp.UdpDevice.Open(stack, new Devices.Udp.UdpDeviceOptions { Queues = 1, ReceiveBufferBytes = 64 * 1024 });
            dev.Start();
            dev.SetThreaded(ThreadedMode.Enabled);
            var napi = dev.Napis.Single();
            Assert.Equal(ThreadPolicy.Fifo(10), napi.PollerPolicy);
            var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var payload = new byte[64];
            var flood = new Thread(() =>
            {
                // At most 10 s of 30 datagrams per millisecond, until the test has seen what it waits for.
                for (int ms = 0; ms < 10_000 && !stop.IsCancellationRequested; ms++)
                {
                    for (int i = 0; i < 30; i++)
                    {
                        sender.SendTo(payload, destination);
                        Interlocked.Increment(ref sent);
                    }
                    Thread.Sleep(1);
                }
            })
            { IsBackground = true };
            flood.Start();
            Wait.Until(() => napi.PollerPolicy == ThreadPolicy.Other && stack.RtDemotions > 0, () => $"the NAPI thread to demote itself: {napi.PollerPolicy}, {napi.Overload}");
            stop.Cancel();
            Assert.True(flood.Join(TimeSpan.FromSeconds(10)), "the flood did not stop");

            Wait.Until(() => Volatile.Read(ref handled) + dev.ReadSocketDrops() >= Volatile.Read(ref sent), () => $"the flood to be delivered or dropped: {handled} + {dev.ReadSocketDrops()} of {sent}");
            Wait.Until(
                () => stack.Cpus[0].Overload.State == OverloadState.Normal && stack.Cpus[1].Overload.State == OverloadState.Normal,
                () => $"the CPUs to be calm: {stack.Cpus[0].Overload}; {stack.Cpus[1].Overload}");
            Wait.Until(
                () =>
                {
                    sender.SendTo(payload, destination);
                    Interlocked.Increment(ref sent);
                    return napi.PollerPolicy == ThreadPolicy.Fifo(10);
                },
                () => $"the NAPI thread to take FIFO back: {napi.PollerPolicy}");
            Wait.Until(() => stack.Cpus[0].SoftirqPolicy == ThreadPolicy.Fifo(10) && stack.Cpus[1].SoftirqPolicy == ThreadPolicy.Fifo(10), () => "ksoftirqd to be FIFO again");
        }
        finally
        {
            stop.Cancel();
            stack.Dispose();
        }
        Accounting.AssertAllAccounted(Volatile.Read(ref sent), handled, stack.Snapshot());
    }
}
