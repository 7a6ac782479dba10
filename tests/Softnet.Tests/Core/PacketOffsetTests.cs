using Softnet.Core;

namespace Softnet.Tests.Core;

/// <summary>A packet whose payload sits behind a device's header in the buffer (skb_reserve), and its reuse.</summary>
public sealed class PacketOffsetTests
{
    private static Packet NewPacket() => new(new PacketPool(0, 64, 0, 64, 0), 64);

    [Fact]
    public void SetPayload_DataIsTheBytesAtTheOffset()
    {
        var p = NewPacket();
        for (int i = 0; i < p.Buffer.Length; i++)
            p.Buffer[i] = (byte)i;
        p.SetPayload(40, 5);
        Assert.Equal(5, p.Length);
        Assert.Equal(new byte[] { 40, 41, 42, 43, 44 }, p.Data.ToArray());
    }

    [Fact]
    public void SetLength_AndReset_PutTheDataBackAtTheStart()
    {
        var p = NewPacket();
        for (int i = 0; i < p.Buffer.Length; i++)
            p.Buffer[i] = (byte)i;
        p.SetPayload(40, 5);
        // A sender that fills the buffer from its start after a device used it with an offset.
        p.SetLength(3);
        Assert.Equal(new byte[] { 0, 1, 2 }, p.Data.ToArray());

        p.SetPayload(40, 5);
        p.Reset();
        p.Length = 2;
        Assert.Equal(new byte[] { 0, 1 }, p.Data.ToArray());
    }
}
