using System.Net;
using System.Net.Sockets;
using Softnet.Devices.Udp;

namespace Softnet.Tests.Udp;

/// <summary>The allocation-free endpoint: its sockaddr round trip, text, equality and the empty value.</summary>
public sealed class UdpEndpointTests
{
    [Theory]
    [InlineData("192.0.2.7:8125", "192.0.2.7:8125")]
    [InlineData("[::1]:53", "[::1]:53")]
    [InlineData("[2001:db8::1]:9", "[2001:db8::1]:9")]
    [InlineData("[2001:db8:0:0:1:0:0:1]:9", "[2001:db8::1:0:0:1]:9")]
    [InlineData("[fe80::1%3]:65535", "[fe80::1%3]:65535")]
    [InlineData("[::ffff:10.1.2.3]:7", "10.1.2.3:7")]
    [InlineData("[2001:db8:1:2:3:4:5:6]:1", "[2001:db8:1:2:3:4:5:6]:1")]
    public void Text_IsWrittenIntoTheCallersBuffer(string endPoint, string text)
    {
        var endpoint = UdpEndpoint.From(IPEndPoint.Parse(endPoint));
        Span<char> buffer = stackalloc char[64];

        Assert.True(endpoint.TryFormat(buffer, out int written));
        Assert.Equal(text, buffer[..written].ToString());
        Assert.Equal(IPEndPoint.Parse(endPoint), endpoint.ToIPEndPoint());
        Assert.Equal(IPEndPoint.Parse(endPoint).Port, endpoint.Port);
    }

    [Fact]
    public void TryFormat_IntoATooSmallBuffer_Fails()
    {
        var endpoint = UdpEndpoint.From(IPEndPoint.Parse("192.0.2.7:8125"));

        Assert.False(endpoint.TryFormat(new char[5], out _));
    }

    [Fact]
    public void Equality_FollowsFamilyAddressAndPort()
    {
        var a = UdpEndpoint.From(IPEndPoint.Parse("127.0.0.1:1000"));

        Assert.Equal(a, UdpEndpoint.From(IPEndPoint.Parse("127.0.0.1:1000")));
        Assert.NotEqual(a, UdpEndpoint.From(IPEndPoint.Parse("127.0.0.1:1001")));
        Assert.NotEqual(a, UdpEndpoint.From(IPEndPoint.Parse("[::ffff:127.0.0.1]:1000")));
        Assert.Equal(a.GetHashCode(), UdpEndpoint.From(IPEndPoint.Parse("127.0.0.1:1000")).GetHashCode());
        Assert.Equal(AddressFamily.InterNetwork, a.AddressFamily);
    }

    [Fact]
    public void Default_IsEmpty()
    {
        var empty = default(UdpEndpoint);

        Assert.True(empty.IsEmpty);
        Assert.Equal(AddressFamily.Unspecified, empty.AddressFamily);
        Assert.Equal(0, empty.Port);
        Assert.Equal("", empty.ToString());
        Assert.Throws<InvalidOperationException>(() => empty.ToIPEndPoint());
    }

    [Fact]
    public void TryFormat_AllocatesNothing()
    {
        var endpoint = UdpEndpoint.From(IPEndPoint.Parse("[2001:db8::1%4]:8125"));
        var buffer = new char[64];
        endpoint.TryFormat(buffer, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            endpoint.TryFormat(buffer, out _);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
