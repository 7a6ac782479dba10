using Softnet.Interop;

namespace Softnet.Scheduling;

/// <summary>
/// The ids of the process's threads, as <c>/proc/self/task</c> lists them, read with <c>getdents64</c> into a stack
/// buffer. The housekeeping sweep lists them ten times a second for as long as the stack runs; the file-system
/// enumerator left about 100 B of garbage per thread each time, and garbage brings collections that stop the packet
/// threads.
/// </summary>
internal static class ProcessTasks
{
    private const int BufferBytes = 4096;

    /// <summary>
    /// Puts the thread ids in <paramref name="tids"/> (a larger array when the process has more threads than it holds)
    /// and returns how many there are; 0 when the directory cannot be read.
    /// </summary>
    public static unsafe int List(ref int[] tids)
    {
        int fd;
        fixed (byte* path = "/proc/self/task\0"u8)
            fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0)
            return 0;
        try
        {
            byte* buffer = stackalloc byte[BufferBytes];
            int count = 0;
            nint read;
            while ((read = Libc.GetDents64(fd, buffer, BufferBytes)) > 0)
            {
                for (nint at = 0; at < read; at += *(ushort*)(buffer + at + Libc.DirentRecLen))
                {
                    if (ParseTid(buffer + at + Libc.DirentName) is not int tid)
                        continue;
                    if (count == tids.Length)
                        Array.Resize(ref tids, tids.Length * 2);
                    tids[count++] = tid;
                }
            }
            return count;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>A NUL-terminated decimal name as a thread id; null for <c>.</c> and <c>..</c>.</summary>
    private static unsafe int? ParseTid(byte* name)
    {
        if (*name == 0)
            return null;
        int tid = 0;
        for (; *name != 0; name++)
        {
            if (*name is < (byte)'0' or > (byte)'9')
                return null;
            tid = (tid * 10) + (*name - '0');
        }
        return tid;
    }
}
