using System.Net;

namespace Softnet.Admin;

/// <summary>Where an <see cref="AdminServer"/> listens: always a Unix socket, optionally also HTTP on a loopback address.</summary>
public sealed record AdminOptions
{
    private readonly string? _unixSocketPath;

    /// <summary>Names the default socket (<c>&lt;name&gt;.sock</c>); ignored when <see cref="UnixSocketPath"/> is set.</summary>
    public string Name { get; init; } = AdminPaths.DefaultName;

    /// <summary>The socket path; defaults to <see cref="AdminPaths.DefaultSocketPath"/> for <see cref="Name"/>.</summary>
    public string UnixSocketPath
    {
        get => _unixSocketPath ?? AdminPaths.DefaultSocketPath(Name);
        init => _unixSocketPath = value;
    }

    /// <summary>Also serve HTTP here (port 0 picks a free port); must be a loopback address unless <see cref="AllowRemote"/>.</summary>
    public IPEndPoint? HttpEndPoint { get; init; }

    /// <summary>Lets <see cref="HttpEndPoint"/> be a non-loopback address. Requests still need the token, sent in clear text.</summary>
    public bool AllowRemote { get; init; }

    /// <summary>
    /// A file holding the bearer token HTTP requests must carry (mode 0600 or stricter). Without it the server
    /// generates one into <see cref="AdminToken.PathBeside"/> the socket at start and removes it at the end.
    /// </summary>
    public string? TokenFile { get; init; }

    /// <summary>A read-only listener serving only <c>GET /metrics</c>, without the token, for scrapers (any address).</summary>
    public IPEndPoint? MetricsEndPoint { get; init; }

    internal void Validate()
    {
        if (HttpEndPoint is { } http && !AllowRemote && !IsLoopback(http.Address))
            throw new ArgumentException($"admin HTTP must bind a loopback address (got {http}); pass --admin-allow-remote to allow it");
    }

    private static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
