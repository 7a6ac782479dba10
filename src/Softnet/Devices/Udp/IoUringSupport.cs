namespace Softnet.Devices.Udp;

/// <summary>
/// Whether this process may use the io_uring backend: multishot RECVMSG over a provided-buffer ring needs Linux 6.0,
/// and kernel.io_uring_disabled = 2 refuses every ring. Seccomp filters and io_uring_disabled = 1 (rings only for
/// io_uring_group) show only when a ring is set up, as EPERM or ENOSYS from io_uring_setup.
/// </summary>
internal static class IoUringSupport
{
    private const string DisabledPath = "/proc/sys/kernel/io_uring_disabled";

    private static readonly Version Needed = new(6, 0);

    /// <summary>Null when worth trying, else why not.</summary>
    public static string? WhyNot() => WhyNot(Environment.OSVersion.Version, ReadDisabled());

    internal static string? WhyNot(Version kernel, int? disabled)
    {
        if (!OperatingSystem.IsLinux())
            return "io_uring is Linux only";
        if (kernel < Needed)
            return $"kernel {kernel} is older than 6.0 (multishot recvmsg)";
        if (disabled == 2)
            return "kernel.io_uring_disabled is 2";
        return null;
    }

    private static int? ReadDisabled()
    {
        try
        {
            return int.TryParse(File.ReadAllText(DisabledPath).Trim(), out int v) ? v : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
