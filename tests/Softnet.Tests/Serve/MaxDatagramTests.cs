using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Softnet.Tests.Serve;

/// <summary>Datagrams longer than the packet buffer are counted as malformed; <c>--max-datagram</c> raises the buffer to any legal UDP payload.</summary>
[Collection(nameof(ServeCollection))]
public sealed class MaxDatagramTests
{
    [Theory]
    [InlineData(null, 1, 1)]
    [InlineData("65507", 3, 0)]
    public void LargeDatagramsAreReceivedWholeUpToMaxDatagram(string? maxDatagram, long received, long malformed)
    {
        using var serve = new ServeProcess(maxDatagram is null ? ["--json"] : ["--json", "--max-datagram", maxDatagram]);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.SendBufferSize = 1 << 20;
        var server = new IPEndPoint(IPAddress.Loopback, serve.Port);

        client.SendTo(new byte[2048], server);
        client.SendTo(new byte[2049], server);
        if (maxDatagram is not null)
            client.SendTo(new byte[65507], server);

        Assert.Equal(0, serve.Terminate());
        using var report = JsonDocument.Parse(serve.Stdout);
        Assert.Equal(received, report.RootElement.GetProperty("received").GetInt64());
        Assert.Equal(malformed, report.RootElement.GetProperty("dropped").GetProperty("malformed").GetInt64());
    }
}
