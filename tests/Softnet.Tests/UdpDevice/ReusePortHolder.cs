using System.Diagnostics;
using System.Globalization;

namespace Softnet.Tests.UdpDevice;

/// <summary>
/// Another process (python3) of the same user holding SO_REUSEPORT groups on 127.0.0.1: <c>groups</c> ports picked by
/// the kernel (port 0), or one given port, each with <c>perGroup</c> sockets. It exits when its stdin closes.
/// </summary>
internal sealed class ReusePortHolder : IDisposable
{
    private const string Script = """
        import resource, socket, sys
        groups, per, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        socks, ports = [], []
        def bound(p):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            s.bind(("127.0.0.1", p))
            socks.append(s)
            return s.getsockname()[1]
        for _ in range(groups):
            p = bound(port)
            for _ in range(per - 1):
                bound(p)
            ports.append(p)
        print(" ".join(map(str, ports)), flush=True)
        sys.stdin.read()
        """;

    private readonly Process _process;

    public ReusePortHolder(int groups, int perGroup, int port = 0)
    {
        var start = new ProcessStartInfo(Python!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["-c", Script, $"{groups}", $"{perGroup}", $"{port}"])
            start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is null)
        {
            Dispose();
            throw new InvalidOperationException("the reuseport holder process did not report its ports");
        }
        Ports = line.Result.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToHashSet();
    }

    public static string? Python => Serve.ServeProcess.FindOnPath("python3");

    public int Pid => _process.Id;

    public IReadOnlySet<int> Ports { get; }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                _process.Kill();
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>A fact that needs python3 for its competing process; skipped, saying so, where it is not installed.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (ReusePortHolder.Python is null)
            Skip = "python3 is not installed; the competing reuseport process is a python3 script";
    }
}
