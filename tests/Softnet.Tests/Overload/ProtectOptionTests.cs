using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Softnet.Cli.Options;
using Softnet.Cli.Udp;
using Softnet.Overload;
using Softnet.Tests.Serve;

namespace Softnet.Tests.Overload;

/// <summary><c>--protect</c> and <c>--overload-shed</c>: the syntax, its errors, and serve's <c>protected</c> report.</summary>
[Collection(nameof(ServeCollection))]
public sealed class ProtectOptionTests
{
    [Theory]
    [InlineData("10.0.0.7", "10.0.0.7", 32, 0, 65535)]
    [InlineData("10.0.0.77/24:5000-5099", "10.0.0.0", 24, 5000, 5099)]
    [InlineData("127.0.0.1:7000", "127.0.0.1", 32, 7000, 7000)]
    [InlineData("[::1]:7000", "::1", 128, 7000, 7000)]
    [InlineData("[fd00::5]/64", "fd00::", 64, 0, 65535)]
    public void Protect_Parses(string text, string network, int prefix, int low, int high)
    {
        var o = ServeOptions.Parse(["--bind", "[::]:1", "--protect", text, "--protect", "127.0.0.1"]);
        var flow = o.Overload.Protect[0];
        Assert.Equal(IPAddress.Parse(network), flow.Network);
        Assert.Equal((prefix, low, high), (flow.PrefixLength, flow.PortLow, flow.PortHigh));
        Assert.Equal(2, o.Overload.Protect.Count);
    }

    [Theory]
    [InlineData("10.0.0.300", "not an IPv4 or IPv6 address")]
    [InlineData("10.0.0.1/33", "prefix must be 0..32")]
    [InlineData("10.0.0.1:70000", "ports must be PORT or LOW-HIGH")]
    [InlineData("10.0.0.1:90-80", "low <= high")]
    [InlineData("::1", "brackets")]
    [InlineData("10.0.0.1:80x", "ports must be")]
    public void Protect_Errors_NameTheOptionAndTheSyntax(string text, string reason)
    {
        var e = Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", "127.0.0.1:1", "--protect", text]));
        Assert.StartsWith("--protect must be SRC[/PREFIX][:PORT[-PORT]]", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void Protect_AtMostEight_AndShedInRange()
    {
        var nine = Enumerable.Range(1, 9).SelectMany(i => new[] { "--protect", $"10.0.0.{i}" });
        var e = Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", "127.0.0.1:1", .. nine]));
        Assert.Contains("at most 8", e.Message);
        e = Assert.Throws<UsageException>(() => ServeOptions.Parse(["--bind", "127.0.0.1:1", "--overload-shed", "101"]));
        Assert.Contains("--overload-shed must be an integer between 0 and 100", e.Message);
    }

    /// <summary>A protected client's requests are answered, and serve's JSON report counts them under <c>protected</c>.</summary>
    [Fact]
    public void Serve_ReportsTheProtectedQueue()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 5000;
        int clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        using var serve = new ServeProcess("--reply", "echo", "--json", "--queues", "1", "--protect", $"127.0.0.1:{clientPort}", "--overload", "auto");
        var server = new IPEndPoint(IPAddress.Loopback, serve.Port);
        var buffer = new byte[64];
        const int Count = 50;
        for (int i = 0; i < Count; i++)
        {
            BitConverter.TryWriteBytes(buffer, i);
            client.SendTo(buffer, server);
            Assert.Equal(64, client.Receive(buffer));
            Assert.Equal(i, BitConverter.ToInt32(buffer));
        }
        using (var other = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            other.ReceiveTimeout = 5000;
            other.SendTo(buffer, server);
            Assert.Equal(64, other.Receive(buffer));
        }

        Assert.Equal(0, serve.Terminate());
        using var report = JsonDocument.Parse(serve.Stdout);
        var p = report.RootElement.GetProperty("protected");
        Assert.Equal(Count, p.GetProperty("received").GetInt64());
        Assert.Equal(Count, p.GetProperty("replied").GetInt64());
        Assert.Equal(0, p.GetProperty("dropped").GetInt64());
        Assert.Equal(Count + 1, report.RootElement.GetProperty("received").GetInt64());
        Assert.Equal(1, report.RootElement.GetProperty("queues").EnumerateArray().Sum(q => q.GetProperty("packets").GetInt64()));
    }
}
