using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Softnet.Devices.Udp;

namespace Softnet.Tests.Udp;

public class UdpTableTests
{
    [Theory]
    [InlineData("127.0.0.1", "0100007F")]
    [InlineData("::1", "00000000000000000000000001000000")]
    public void Rows_ListASocketUnderItsInodeWithItsLocalAddress(string address, string hex)
    {
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Parse(address), 0), default);

        long? inode = UdpTable.Inode(socket.Fd);

        Assert.NotNull(inode);
        var row = Assert.Single(UdpTable.Rows(), r => r.Inode == inode);
        Assert.Equal($"{hex}:{socket.LocalEndPoint.Port:X4}", row.Local);
        Assert.Equal(0, row.Drops);
        Assert.Equal(0, UdpTable.Drops(socket.Fd));
    }

    [Fact]
    public void Inode_IsNullForADescriptorThatIsNoSocketOrIsClosed()
    {
        using (var file = File.OpenHandle("/proc/self/stat"))
            Assert.Null(UdpTable.Inode((int)file.DangerousGetHandle()));
        var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), default);
        int fd = socket.Fd;
        socket.Dispose();

        Assert.Null(UdpTable.Inode(fd));
        Assert.Null(UdpTable.Drops(fd));
    }

    [Fact]
    public void Drops_AreTheDatagramsTheSocketHadNoRoomFor()
    {
        const int Sent = 200;
        using var socket = UdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), new UdpSocketOptions { ReceiveBufferBytes = 4096 });
        using var sender = Loopback.Sender(AddressFamily.InterNetwork);
        using var batch = Loopback.ReceiveBatch(64, 128);
        var payload = new byte[64];
        for (int i = 0; i < Sent; i++)
            sender.SendTo(payload, socket.LocalEndPoint);

        int received = 0;
        long drops = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Loopback.Patience)
        {
            int n = batch.Receive(socket.Fd, batch.Capacity);
            Assert.True(n >= 0);
            received += n;
            drops = UdpTable.Drops(socket.Fd) ?? 0;
            if (n == 0 && received + drops == Sent)
                break;
            if (n == 0)
                Thread.Sleep(1);
        }

        Assert.True(received > 0);
        Assert.True(drops > 0);
        Assert.Equal(Sent, received + drops);
    }
}
