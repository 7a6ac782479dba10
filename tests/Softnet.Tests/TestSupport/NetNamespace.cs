using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Softnet.Tests.TestSupport;

/// <summary>
/// A private network namespace (<c>ip netns add</c>) with its loopback up: its kernel counters (/proc/net/snmp, lo's
/// drops) count only this test's traffic, so they are exact. Needs root; <see cref="TryCreate"/> says why not otherwise.
/// </summary>
internal sealed partial class NetNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private NetNamespace(string name) => Name = name;

    public string Name { get; }

    public static NetNamespace? TryCreate(out string? whyNot)
    {
        whyNot = null;
        if (ToolPath("ip") is null)
        {
            whyNot = "the ip tool (iproute2) is not installed";
            return null;
        }
        string name = $"softnet-test-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        var (exit, output) = Run("ip", "netns", "add", name);
        if (exit != 0)
        {
            whyNot = $"ip netns add failed (needs root / CAP_SYS_ADMIN): {output.Trim()}";
            return null;
        }
        var ns = new NetNamespace(name);
        (exit, output) = Run("ip", "-n", name, "link", "set", "lo", "up");
        if (exit != 0)
        {
            ns.Dispose();
            whyNot = $"ip link set lo up in {name} failed: {output.Trim()}";
            return null;
        }
        return ns;
    }

    /// <summary>Starts <paramref name="file"/> inside the namespace (<c>ip netns exec</c>).</summary>
    public ProcessStartInfo StartInfo(string file, params string[] args)
    {
        var start = new ProcessStartInfo(ToolPath("ip")!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["netns", "exec", Name, file, .. args])
            start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>Runs <paramref name="body"/> on a new thread that has entered the namespace: sockets it creates live there, and /proc/thread-self/net is the namespace's.</summary>
    public T RunInside<T>(Func<T> body)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{Name}");
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns {Name}: errno {Marshal.GetLastPInvokeError()}");
                result = body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new InvalidOperationException($"in network namespace {Name}: {failure.Message}", failure);
        return result;
    }

    /// <summary>One line of a /proc/net/snmp protocol (e.g. "Udp"): field name → value. Call inside the namespace.</summary>
    public static Dictionary<string, long> Snmp(string protocol)
    {
        var lines = File.ReadAllLines("/proc/thread-self/net/snmp").Where(l => l.StartsWith(protocol + ": ", StringComparison.Ordinal)).ToArray();
        var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
        return names.Zip(values).ToDictionary(p => p.First, p => long.Parse(p.Second, CultureInfo.InvariantCulture));
    }

    /// <summary>Receive drops of <paramref name="device"/> (/proc/net/dev): on lo, the backlog drops of netif_rx. Call inside the namespace.</summary>
    public static long RxDropped(string device)
    {
        var line = File.ReadAllLines("/proc/thread-self/net/dev").Single(l => l.TrimStart().StartsWith(device + ":", StringComparison.Ordinal));
        // face: bytes packets errs drop ...
        return long.Parse(line.Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], CultureInfo.InvariantCulture);
    }

    public void Dispose() => Run("ip", "netns", "delete", Name);

    private static string? ToolPath(string name) =>
        new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static (int Exit, string Output) Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(ToolPath(tool) ?? tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill();
            return (-1, $"{tool} timed out");
        }
        return (p.ExitCode, output);
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
