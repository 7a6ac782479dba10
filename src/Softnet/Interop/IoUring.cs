using System.Runtime.InteropServices;

namespace Softnet.Interop;

/// <summary>io_uring_setup, io_uring_enter, io_uring_register and the ring mappings (linux/io_uring.h).</summary>
internal static unsafe partial class Libc
{
    // The generic syscall table: the same numbers on x86-64 and arm64.
    private const long SysIoUringSetup = 425;
    private const long SysIoUringEnter = 426;
    private const long SysIoUringRegister = 427;

    internal const long IORING_OFF_SQ_RING = 0;
    internal const long IORING_OFF_SQES = 0x10000000;

    internal const uint IORING_FEAT_SINGLE_MMAP = 1u << 0;
    internal const uint IORING_FEAT_NODROP = 1u << 1;
    internal const uint IORING_FEAT_EXT_ARG = 1u << 8;
    internal const uint IORING_FEAT_CQE_SKIP = 1u << 11;
    internal const uint IORING_SETUP_CQSIZE = 1u << 3;

    internal const uint IORING_ENTER_GETEVENTS = 1u << 0;

    /// <summary>io_uring_enter's argument is a struct io_uring_getevents_arg (for a wait with a timeout).</summary>
    internal const uint IORING_ENTER_EXT_ARG = 1u << 3;

    internal const byte IORING_OP_NOP = 0;
    internal const byte IORING_OP_POLL_ADD = 6;
    internal const byte IORING_OP_SENDMSG = 9;
    internal const byte IORING_OP_RECVMSG = 10;
    internal const byte IORING_OP_ASYNC_CANCEL = 14;

    internal const byte IOSQE_BUFFER_SELECT = 1 << 5;

    /// <summary>No completion when the request succeeds; a failure still posts one.</summary>
    internal const byte IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    /// <summary>sqe->len for POLL_ADD: one completion per wake-up of the file until cancelled.</summary>
    internal const uint IORING_POLL_ADD_MULTI = 1;

    /// <summary>sqe->ioprio for RECVMSG: keep receiving, one completion per datagram, until cancelled or out of buffers.</summary>
    internal const ushort IORING_RECV_MULTISHOT = 1 << 1;

    internal const uint IORING_CQE_F_BUFFER = 1u << 0;
    internal const uint IORING_CQE_F_MORE = 1u << 1;
    internal const int IORING_CQE_BUFFER_SHIFT = 16;

    internal const uint IORING_REGISTER_PBUF_RING = 22;
    internal const uint IORING_UNREGISTER_PBUF_RING = 23;

    internal const int PROT_READ = 1;
    internal const int PROT_WRITE = 2;
    internal const int MAP_SHARED = 0x01;
    internal const int MAP_PRIVATE = 0x02;
    internal const int MAP_ANONYMOUS = 0x20;
    internal const int MAP_POPULATE = 0x8000;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long IoUringSyscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    /// <summary>io_uring_setup: the ring's fd, or -errno.</summary>
    internal static int IoUringSetup(uint entries, IoUringParams* p)
    {
        long r = IoUringSyscall(SysIoUringSetup, entries, (long)p, 0, 0, 0, 0);
        return r >= 0 ? (int)r : -Marshal.GetLastPInvokeError();
    }

    /// <summary>io_uring_enter without a signal mask: SQEs consumed, or -errno.</summary>
    internal static int IoUringEnter(int fd, uint toSubmit, uint minComplete, uint flags)
    {
        long r = IoUringSyscall(SysIoUringEnter, fd, toSubmit, minComplete, flags, 0, 0);
        return r >= 0 ? (int)r : -Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// io_uring_enter that submits <paramref name="toSubmit"/> SQEs and then waits for a completion up to
    /// <paramref name="timeoutNs"/> (&lt; 0: no timeout): SQEs consumed, or -errno (-ETIME: the time ran out).
    /// </summary>
    internal static int IoUringSubmitAndWait(int fd, uint toSubmit, long timeoutNs)
    {
        Timespec ts;
        var arg = default(IoUringGeteventsArg);
        if (timeoutNs >= 0)
        {
            ts.Seconds = timeoutNs / 1_000_000_000;
            ts.Nanoseconds = timeoutNs % 1_000_000_000;
            arg.Ts = (ulong)&ts;
        }
        long r = IoUringSyscall(SysIoUringEnter, fd, toSubmit, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, (long)&arg, sizeof(IoUringGeteventsArg));
        return r >= 0 ? (int)r : -Marshal.GetLastPInvokeError();
    }

    /// <summary>io_uring_register: 0 (or a positive result), or -errno.</summary>
    internal static int IoUringRegister(int fd, uint opcode, void* arg, uint count)
    {
        long r = IoUringSyscall(SysIoUringRegister, fd, opcode, (long)arg, count, 0, 0);
        return r >= 0 ? (int)r : -Marshal.GetLastPInvokeError();
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    internal static partial void* Mmap(void* address, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(void* address, nuint length);

    internal static readonly void* MapFailed = (void*)-1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoSqringOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Flags;
        public uint Dropped;
        public uint Array;
        public uint Resv1;
        public ulong UserAddr;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoCqringOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Overflow;
        public uint Cqes;
        public uint Flags;
        public uint Resv1;
        public ulong UserAddr;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoUringParams
    {
        public uint SqEntries;
        public uint CqEntries;
        public uint Flags;
        public uint SqThreadCpu;
        public uint SqThreadIdle;
        public uint Features;
        public uint WqFd;
        public uint Resv0;
        public uint Resv1;
        public uint Resv2;
        public IoSqringOffsets SqOff;
        public IoCqringOffsets CqOff;
    }

    /// <summary>struct io_uring_sqe, the fields the UDP backend uses (64 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    internal struct IoUringSqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(2)] public ushort IoPrio;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Off;
        [FieldOffset(16)] public ulong Addr;
        [FieldOffset(24)] public uint Len;
        [FieldOffset(28)] public uint OpFlags;
        [FieldOffset(32)] public ulong UserData;
        [FieldOffset(40)] public ushort BufGroup;
    }

    /// <summary>struct io_uring_getevents_arg.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoUringGeteventsArg
    {
        public ulong Sigmask;
        public uint SigmaskSize;
        public uint MinWaitUsec;
        public ulong Ts;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoUringCqe
    {
        public ulong UserData;
        public int Res;
        public uint Flags;
    }

    /// <summary>struct io_uring_buf: one entry of a provided-buffer ring (16 bytes; entry 0's last u16 is the ring's tail).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoUringBuf
    {
        public ulong Addr;
        public uint Len;
        public ushort Bid;
        public ushort Resv;
    }

    /// <summary>struct io_uring_buf_reg.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoUringBufReg
    {
        public ulong RingAddr;
        public uint RingEntries;
        public ushort Bgid;
        public ushort Flags;
        public ulong Resv0;
        public ulong Resv1;
        public ulong Resv2;
    }

    /// <summary>struct io_uring_recvmsg_out: what a multishot RECVMSG writes at the start of each buffer.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoUringRecvmsgOut
    {
        public uint NameLength;
        public uint ControlLength;
        public uint PayloadLength;
        public uint Flags;
    }
}
