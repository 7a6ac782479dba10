using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Hosting;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Hosting;

/// <summary>The handler's context: the source as an endpoint, a reply to it, and a send to another endpoint.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class PacketContextTests
{
    /// <summary>
    /// Answers each datagram with "echo:" + payload to its source, and forwards the payload to the endpoint named in
    /// it after a '>' (an IPv4 endpoint text), so both paths are exercised from the handler.
    /// </summary>
    private sealed class EchoHandler : IPacketBatchHandler
    {
        private readonly char[] _source = new char[64];

        public string? LastSource { get; private set; }

        public void Handle(ReadOnlySpan<Packet> batch, PacketContext context)
        {
            Span<byte> reply = stackalloc byte[256];
            foreach (var packet in batch)
            {
                var source = PacketContext.Source(packet);
                if (source.TryFormat(_source, out int written))
                    LastSource = new string(_source, 0, written);
                "echo:"u8.CopyTo(reply);
                packet.Data.CopyTo(reply[5..]);
                context.Reply(packet, reply[..(5 + packet.Length)]);
                int arrow = packet.Data.IndexOf((byte)'>');
                if (arrow >= 0)
                {
                    var target = UdpEndpoint.From(IPEndPoint.Parse(System.Text.Encoding.ASCII.GetString(packet.Data[(arrow + 1)..])));
                    context.SendTo(target, packet.Data[..arrow]);
                }
            }
        }
    }

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("[::]:0")]
    public async Task Handler_RepliesToTheSource_AndSendsToAnotherEndpoint(string bind)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<EchoHandler>();
        builder.Services.AddSingleton<IPacketBatchHandler>(sp => sp.GetRequiredService<EchoHandler>());
        builder.Services.AddSoftnet(configure: o =>
        {
            o.Cpus = 2;
            o.Udp = new SoftnetUdpOptions { Bind = bind, Queues = 1 };
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var udp = host.Services.GetRequiredService<SoftnetService>().Udp!;
            var server = new IPEndPoint(IPAddress.Loopback, udp.LocalEndPoint.Port);
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            client.ReceiveTimeout = 10_000;
            using var third = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            third.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            third.ReceiveTimeout = 10_000;

            client.SendTo(System.Text.Encoding.ASCII.GetBytes($"hello>{third.LocalEndPoint}"), server);
            var buffer = new byte[512];
            int echoed = client.Receive(buffer);
            int forwarded = third.Receive(buffer.AsSpan(256));

            Assert.Equal($"echo:hello>{third.LocalEndPoint}", System.Text.Encoding.ASCII.GetString(buffer, 0, echoed));
            Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 256, forwarded));
            Assert.Equal(client.LocalEndPoint!.ToString(), host.Services.GetRequiredService<EchoHandler>().LastSource);
            // The count follows the sendmmsg that delivered both, so it may trail the receives by a moment.
            TestSupport.Eventually.True(() => udp.TxPackets == 2, () => $"2 datagrams counted as sent (got {udp.TxPackets})");
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
