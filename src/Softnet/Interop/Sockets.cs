using System.Runtime.InteropServices;

namespace Softnet.Interop;

/// <summary>BSD socket calls and the Linux UAPI layouts they take. Constants keep their C names so they grep against man pages.</summary>
internal static unsafe partial class Libc
{
    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_NONBLOCK = 0x800;
    internal const int SOCK_CLOEXEC = 0x80000;

    internal const int SOL_SOCKET = 1;
    internal const int SO_SNDBUF = 7;
    internal const int SO_RCVBUF = 8;
    internal const int SO_REUSEPORT = 15;
    internal const int SO_SNDBUFFORCE = 32;
    internal const int SO_RCVBUFFORCE = 33;
    internal const int SO_RXQ_OVFL = 40;
    internal const int SO_ATTACH_FILTER = 26;
    internal const int SO_ATTACH_REUSEPORT_CBPF = 51;
    internal const int SO_MEMINFO = 55;

    /// <summary>Indexes into SO_MEMINFO's u32 array (SK_MEMINFO_*), and its length.</summary>
    internal const int SK_MEMINFO_RMEM_ALLOC = 0;
    internal const int SK_MEMINFO_RCVBUF = 1;
    internal const int SK_MEMINFO_DROPS = 8;
    internal const int SK_MEMINFO_VARS = 9;

    internal const int IPPROTO_IPV6 = 41;
    internal const int IPV6_V6ONLY = 26;

    internal const int MSG_TRUNC = 0x20;
    internal const int MSG_DONTWAIT = 0x40;

    /// <summary>sizeof(struct sockaddr_storage): room for any address family.</summary>
    internal const int SockaddrStorageBytes = 128;
    internal const int SockaddrInBytes = 16;
    internal const int SockaddrIn6Bytes = 28;

    internal const ushort BPF_LD = 0x00;
    internal const ushort BPF_W = 0x00;
    internal const ushort BPF_ABS = 0x20;
    internal const ushort BPF_RET = 0x06;
    internal const ushort BPF_ALU = 0x04;
    internal const ushort BPF_MOD = 0x90;
    internal const ushort BPF_K = 0x00;
    internal const ushort BPF_A = 0x10;
    internal const int SKF_AD_OFF = -0x1000;
    internal const int SKF_AD_CPU = 36;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(int fd, byte* addr, uint addrLen);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(int fd, int level, int name, void* value, uint valueLen);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    internal static partial int GetSockOpt(int fd, int level, int name, void* value, uint* valueLen);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    internal static partial int GetSockName(int fd, byte* addr, uint* addrLen);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    internal static partial int RecvMmsg(int fd, MMsgHdr* messages, uint count, int flags, Timespec* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    internal static partial int SendMmsg(int fd, MMsgHdr* messages, uint count, int flags);

    /// <summary>CMSG_ALIGN: control messages are padded to the size of size_t.</summary>
    internal static nuint CmsgAlign(nuint length) => (length + (nuint)sizeof(nuint) - 1) & ~((nuint)sizeof(nuint) - 1);

    /// <summary>CMSG_LEN: the cmsg_len of a control message carrying <paramref name="dataLength"/> bytes.</summary>
    internal static nuint CmsgLen(nuint dataLength) => CmsgAlign((nuint)sizeof(CmsgHdr)) + dataLength;

    /// <summary>CMSG_SPACE: the buffer room one control message with <paramref name="dataLength"/> bytes takes.</summary>
    internal static nuint CmsgSpace(nuint dataLength) => CmsgAlign((nuint)sizeof(CmsgHdr)) + CmsgAlign(dataLength);

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>struct sockaddr_in; port and address in network byte order, family in host order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrIn
    {
        public ushort Family;
        public ushort Port;
        public uint Address;
        public ulong Zero;
    }

    /// <summary>struct sockaddr_in6; port, flow info and address in network byte order, family and scope in host order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrIn6
    {
        public ushort Family;
        public ushort Port;
        public uint FlowInfo;
        public fixed byte Address[16];
        public uint ScopeId;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct SockFilter
    {
        public ushort Code;
        public byte JumpTrue;
        public byte JumpFalse;
        public uint K;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }
}
