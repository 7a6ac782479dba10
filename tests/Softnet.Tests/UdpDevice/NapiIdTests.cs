using System.Net.Sockets;
using Softnet.Core;
using Softnet.Devices;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>Every packet carries the id of the NAPI that received it (SO_INCOMING_NAPI_ID), the id napi-get lists for its queue.</summary>
[Collection(UdpDeviceCollection.Name)]
public class NapiIdTests
{
    public NapiIdTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected NapiIdTests(UdpBackend backend) => TestBackend.Current = backend;

    [Theory]
    [InlineData(KickMode.Softirq, "")]
    [InlineData(KickMode.BacklogThreads, "all")]
    public void EveryPacket_CarriesItsQueuesNapiId_AlsoThroughRps(KickMode mode, string rps)
    {
        const int FlowCount = 8;
        const int PerFlow = 50;
        int[] expected = new int[2];
        long matched = 0, mismatched = 0, lowIds = 0;
        var stack = UdpStacks.Create(
            (batch, cpu) =>
            {
                foreach (var p in batch)
                {
                    if (p.NapiId < NetStack.FirstNapiId)
                        Interlocked.Increment(ref lowIds);
                    if (p.NapiId == Volatile.Read(ref expected[p.QueueIndex]))
                        Interlocked.Increment(ref matched);
                    else
                        Interlocked.Increment(ref mismatched);
                }
            },
            mode,
            rps);
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2, CpuSteering = false });
            dev.Start();
            foreach (var napi in dev.Napis)
                Volatile.Write(ref expected[napi.Index], napi.Id);
            Assert.All(dev.Napis, n => Assert.True(n.Id >= NetStack.FirstNapiId, $"NAPI id {n.Id} is in the CPU-hint range"));

            using var flows = new Flows(FlowCount, AddressFamily.InterNetwork);
            var buffer = new byte[Payload.Bytes];
            for (int k = 0; k < PerFlow; k++)
            {
                for (int f = 0; f < FlowCount; f++)
                    flows[f].SendTo(buffer, dev.LocalEndPoint);
                Wait.Until(() => Interlocked.Read(ref matched) + Interlocked.Read(ref mismatched) + stack.Snapshot().Dropped >= (k + 1) * FlowCount,
                    () => $"round {k} to be delivered");
            }

            Assert.Equal(FlowCount * PerFlow, Interlocked.Read(ref matched));
            Assert.Equal(0, Interlocked.Read(ref mismatched));
            Assert.Equal(0, Interlocked.Read(ref lowIds));
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>netif_rx packets (the loopback device) were received by no NAPI: id 0, as in the kernel.</summary>
    [Fact]
    public void NetifRxPackets_HaveNapiIdZero()
    {
        long zero = 0, other = 0;
        var stack = UdpStacks.Create((batch, cpu) =>
        {
            foreach (var p in batch)
                Interlocked.Increment(ref p.NapiId == 0 ? ref zero : ref other);
        }, KickMode.Softirq, "all");
        try
        {
            var lo = new LoopbackDevice(stack);
            for (uint i = 1; i <= 100; i++)
                lo.Send("x"u8, flowHash: i * 0x9e3779b9);
            Wait.Until(() => Interlocked.Read(ref zero) + Interlocked.Read(ref other) == 100, () => "100 loopback packets to be delivered");

            Assert.Equal(100, Interlocked.Read(ref zero));
        }
        finally
        {
            stack.Dispose();
        }
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class NapiIdTestsIoUring : NapiIdTests
{
    public NapiIdTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
