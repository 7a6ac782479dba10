namespace Softnet.Cli.Options;

/// <summary>The devices <c>softnet run</c> can drive.</summary>
internal enum DeviceKind
{
    /// <summary>The loopback device: what producers send is received through netif_rx with RPS.</summary>
    Loopback,

    /// <summary>The UDP device on 127.0.0.1: SO_REUSEPORT queues polled NAPI-style, fed by a sendmmsg sender.</summary>
    Udp,
}

/// <summary>How <see cref="DeviceKind"/> is spelled on the command line and in reports.</summary>
internal static class DeviceKinds
{
    private static readonly string[] Names = ["loopback", "udp"];

    public static ReadOnlySpan<string> All => Names;

    public static string Name(this DeviceKind kind) => Names[(int)kind];

    public static DeviceKind Parse(string name) => (DeviceKind)Array.IndexOf(Names, name);
}
