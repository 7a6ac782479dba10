using System.Net;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Steering;

namespace Softnet.Tests.Core;

/// <summary>skb_get_hash: a socket device records the flow's keys and the hash is computed when first read.</summary>
public sealed class LazyFlowHashTests
{
    private static readonly byte[] Local = Sockaddr(new IPEndPoint(IPAddress.Loopback, 9000));

    private static byte[] Sockaddr(IPEndPoint endPoint)
    {
        var buffer = new byte[Packet.MaxAddressBytes];
        return buffer[..SockAddr.Write(endPoint, buffer)];
    }

    private static Packet NewPacket(IPEndPoint source)
    {
        var p = new Packet(new PacketPool(0, 64, 0, 64, 0), 64);
        byte[] address = Sockaddr(source);
        address.CopyTo(p.RawAddress, 0);
        p.AddressLength = address.Length;
        return p;
    }

    [Fact]
    public void TheHashOfRecordedKeys_IsTheFlowDissectorsHashOfTheAddressesAtFirstRead()
    {
        var p = NewPacket(new IPEndPoint(IPAddress.Loopback, 1));
        p.SetFlowKeys(Local);
        Assert.True(p.HasFlowHash);
        // The source written after the keys were recorded still counts: nothing was hashed yet.
        byte[] later = Sockaddr(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 4242));
        later.CopyTo(p.RawAddress, 0);
        uint expected = FlowDissector.Hash(later, Local);
        Assert.Equal(expected, p.FlowHash);
        Assert.Equal(expected, p.FlowHash);
    }

    [Fact]
    public void ASetHash_ReplacesRecordedKeys_AndResetLeavesNoHash()
    {
        var p = NewPacket(new IPEndPoint(IPAddress.Loopback, 1));
        p.SetFlowKeys(Local);
        p.FlowHash = 7;
        Assert.Equal(7u, p.FlowHash);
        p.SetFlowKeys(Local);
        p.Reset();
        Assert.False(p.HasFlowHash);
        Assert.Equal(0u, p.FlowHash);
    }
}
