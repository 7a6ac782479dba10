using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Softnet.Admin;
using Softnet.Core;
using Softnet.Diagnostics;
using Softnet.Overload;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Overload;

/// <summary>The detector on a real UDP queue: a flood past the handler's capacity is seen, reported everywhere, and left.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class OverloadDetectionTests
{
    private static readonly TimeSpan WorkPerDatagram = TimeSpan.FromMicroseconds(100);

    /// <summary>
    /// A handler that costs 100 µs per datagram (10 000/s) gets 6 000 datagrams in about 200 ms (30 000/s) on one
    /// queue with a small socket buffer: the socket fills and drops. The queue's detector and its CPU's go to
    /// overloaded and come back to normal once the flood is over; the admin API (napi-get, /stats), /metrics and
    /// the Softnet meter agree with the detector, the time of the last transition included; under the default policy
    /// (off) no transition is logged; and every datagram is delivered or counted (the kernel's socket drops included).
    /// </summary>
    [Fact]
    public async Task AFloodPastCapacity_IsDetectedReportedAndLeft()
    {
        var log = new ConcurrentQueue<string>();
        long handled = 0;
        long sent = 0;
        var stack = new NetStack(
            new NetStackOptions { Cpus = 2, Log = log.Enqueue },
            (batch, _) =>
            {
                Spin.For(WorkPerDatagram * batch.Length);
                Interlocked.Add(ref handled, batch.Length);
            });
        string directory = Path.Combine(Path.GetTempPath(), $"softnet-ovl-{Guid.NewGuid():N}");
        try
        {
            var dev = Devices.Udp.UdpDevice.Open(stack, new Devices.Udp.UdpDeviceOptions { Queues = 1, ReceiveBufferBytes = 64 * 1024 });
            dev.Start();
            await using var admin = await AdminServer.StartAsync(stack, new AdminOptions { UnixSocketPath = Path.Combine(directory, "admin.sock") });
            using var http = Admin.UnixHttp.Create(admin.SocketPath);
            var napi = dev.Napis.Single();

            using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var payload = new byte[64];
                var destination = new IPEndPoint(IPAddress.Loopback, dev.LocalEndPoint.Port);
                for (int ms = 0; ms < 200; ms++)
                {
                    for (int i = 0; i < 30; i++)
                    {
                        sender.SendTo(payload, destination);
                        sent++;
                    }
                    Thread.Sleep(1);
                }
            }
            Wait.Until(() => Volatile.Read(ref handled) + dev.ReadSocketDrops() >= sent, () => $"the flood to be delivered or dropped: {handled} + {dev.ReadSocketDrops()} of {sent}");
            Wait.Until(
                () => napi.Overload is { State: OverloadState.Normal, Transitions: >= 2 } && stack.Cpus[0].Overload is { State: OverloadState.Normal, Transitions: >= 2 },
                () => $"the queue and its CPU to go through overload and back: queue {napi.Overload}, cpu {stack.Cpus[0].Overload}; log {string.Join(" | ", log)}");

            var q = napi.Overload;
            var cpu = stack.Cpus[0].Overload;
            Assert.True(q.OverloadedNs > 0 && cpu.OverloadedNs > 0, $"queue {q}, cpu {cpu}");
            Assert.True(dev.ReadSocketDrops() > 0, "the flood should have overflowed the socket");

            using var napiGet = JsonDocument.Parse(await http.GetStringAsync($"napi/{napi.Id}"));
            var o = napiGet.RootElement.GetProperty("overload");
            Assert.Equal("normal", o.GetProperty("state").GetString());
            Assert.Equal(q.Transitions, o.GetProperty("transitions").GetInt64());
            Assert.Equal(q.OverloadedNs / 1e6, o.GetProperty("time_overloaded_ms").GetDouble(), 6);

            using var stats = JsonDocument.Parse(await http.GetStringAsync("stats"));
            var cpu0 = stats.RootElement.GetProperty("cpus")[0].GetProperty("overload");
            Assert.Equal(cpu.Transitions, cpu0.GetProperty("transitions").GetInt64());
            Assert.True(cpu0.GetProperty("time_overloaded_ms").GetDouble() > 0);

            var lines = (await http.GetStringAsync("metrics")).Split('\n');
            Assert.Contains($"softnet_napi_overload_transitions_total{{napi_id=\"{napi.Id}\",ifname=\"udp0\"}} {q.Transitions}", lines);
            Assert.Contains("softnet_napi_overload_state{napi_id=\"" + napi.Id + "\",ifname=\"udp0\"} 0", lines);
            Assert.Contains($"softnet_overload_transitions_total{{cpu=\"0\"}} {cpu.Transitions}", lines);
            string overloadedSeconds = lines.Single(l => l.StartsWith("softnet_overload_time_seconds_total{cpu=\"0\",state=\"overloaded\"} ", StringComparison.Ordinal));
            Assert.Equal(cpu.OverloadedNs / 1e9, double.Parse(overloadedSeconds[(overloadedSeconds.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture), 9);

            Assert.Equal(q.Transitions, MeterValue(stack, "softnet.napi.overload.transitions", ("napi_id", napi.Id)));
            Assert.Equal(cpu.Transitions, MeterValue(stack, "softnet.overload.transitions", ("cpu", 0)));

            // The time of the last transition, on the stack's clock, as the admin API gives it.
            Assert.True(q.LastTransitionNs > 0 && cpu.LastTransitionNs > 0, $"queue {q}, cpu {cpu}");
            Assert.Equal(q.LastTransitionNs, o.GetProperty("last_transition_ns").GetInt64());
            Assert.Equal(cpu.LastTransitionNs, cpu0.GetProperty("last_transition_ns").GetInt64());
            // What the polls allocated, per CPU only: the same count the stack keeps, still standing after the flood.
            Assert.Equal(stack.Cpus[0].Overload.PollAllocatedBytes, cpu0.GetProperty("poll_allocated_bytes").GetInt64());
            Assert.False(o.TryGetProperty("poll_allocated_bytes", out _));

            // Under off no policy acts on the state, so no transition is logged.
            Assert.DoesNotContain(log, l => l.StartsWith("overload: ", StringComparison.Ordinal));
        }
        finally
        {
            stack.Dispose();
        }
        Accounting.AssertAllAccounted(sent, handled, stack.Snapshot());
    }

    /// <summary>The last value an observable instrument of the stack's Softnet meter reports for the series with the given tag.</summary>
    private static long MeterValue(NetStack stack, string instrument, (string Key, object Value) tag)
    {
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter == stack.Metrics!.Meter && i.Name == instrument)
                l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (t.Key == tag.Key && Equals(t.Value, tag.Value))
                    value = measurement;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value ?? throw new InvalidOperationException($"{instrument} reported nothing for {tag}");
    }
}
