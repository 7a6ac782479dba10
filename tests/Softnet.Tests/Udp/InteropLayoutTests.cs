using System.Runtime.InteropServices;
using Softnet.Interop;

namespace Softnet.Tests.Udp;

/// <summary>The struct sizes the kernel ABI fixes; a wrong one corrupts memory silently instead of failing.</summary>
public class InteropLayoutTests
{
    [Fact]
    public unsafe void SocketStructs_MatchTheLinuxAbi()
    {
        Assert.Equal(Libc.SockaddrInBytes, sizeof(Libc.SockaddrIn));
        Assert.Equal(Libc.SockaddrIn6Bytes, sizeof(Libc.SockaddrIn6));
        Assert.Equal(8, sizeof(Libc.SockFilter));
        if (IntPtr.Size == 8)
        {
            Assert.Equal(16, sizeof(Libc.IoVec));
            Assert.Equal(56, sizeof(Libc.MsgHdr));
            Assert.Equal(64, sizeof(Libc.MMsgHdr));
            Assert.Equal(16, sizeof(Libc.CmsgHdr));
            Assert.Equal(16, sizeof(Libc.SockFprog));
            Assert.Equal(24u, (uint)Libc.CmsgSpace(sizeof(uint)));
            Assert.Equal(20u, (uint)Libc.CmsgLen(sizeof(uint)));
        }
    }

    [Fact]
    public unsafe void IoUringStructs_MatchTheLinuxAbi()
    {
        Assert.Equal(120, sizeof(Libc.IoUringParams));
        Assert.Equal(40, sizeof(Libc.IoSqringOffsets));
        Assert.Equal(40, sizeof(Libc.IoCqringOffsets));
        Assert.Equal(64, sizeof(Libc.IoUringSqe));
        Assert.Equal(16, sizeof(Libc.IoUringCqe));
        Assert.Equal(16, sizeof(Libc.IoUringBuf));
        Assert.Equal(40, sizeof(Libc.IoUringBufReg));
        Assert.Equal(16, sizeof(Libc.IoUringRecvmsgOut));
        Assert.Equal(40, (int)Marshal.OffsetOf<Libc.IoUringSqe>(nameof(Libc.IoUringSqe.BufGroup)));
        Assert.Equal(32, (int)Marshal.OffsetOf<Libc.IoUringSqe>(nameof(Libc.IoUringSqe.UserData)));
        if (IntPtr.Size == 8)
        {
            // sizeof(io_uring_recvmsg_out) + the 32-byte name + CMSG_SPACE(4): the payload starts 8-byte aligned.
            Assert.Equal(72, Softnet.Devices.Udp.UdpDeviceOptions.IoUringHeaderBytes);
        }
    }

    [Fact]
    public unsafe void EpollEvent_IsPackedOnlyOnX86()
    {
        int expected = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;
        byte* events = stackalloc byte[2 * 16];

        Libc.SetEpollEvent(events + expected, Libc.EPOLLIN, 0x1122334455667788UL);

        Assert.Equal(expected, Libc.EpollEventBytes);
        Assert.Equal(0x1122334455667788UL, Libc.EpollEventData(events, 1));
        Assert.Equal(Libc.EPOLLIN, *(uint*)(events + expected));
    }
}
