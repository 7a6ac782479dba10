namespace Softnet.Hosting;

/// <summary>
/// The <c>Softnet:Admin</c> section: where the admin endpoint listens once
/// <see cref="SoftnetServiceCollectionExtensions.AddSoftnetAdmin"/> opts in to it, as <see cref="Admin.AdminOptions"/>
/// names its settings. Endpoints are strings with an explicit port, as <see cref="SoftnetUdpOptions.Bind"/>.
/// </summary>
public sealed class SoftnetAdminOptions
{
    /// <summary>Names the default socket (<c>&lt;name&gt;.sock</c>); ignored when <see cref="UnixSocketPath"/> is set.</summary>
    public string? Name { get; set; }

    /// <summary>The Unix socket's path; by default one in the runtime directory named by <see cref="Name"/>.</summary>
    public string? UnixSocketPath { get; set; }

    /// <summary>Also serve the admin API over HTTP here, such as <c>127.0.0.1:9100</c> (loopback unless <see cref="AllowRemote"/>).</summary>
    public string? Http { get; set; }

    /// <summary>Let <see cref="Http"/> be a non-loopback address; requests still need the token, sent in clear text.</summary>
    public bool? AllowRemote { get; set; }

    /// <summary>A file (mode 0600) holding the bearer token for <see cref="Http"/>; without it one is generated beside the socket.</summary>
    public string? TokenFile { get; set; }

    /// <summary>A read-only listener of its own serving only <c>GET /metrics</c>, without a token, such as <c>0.0.0.0:9102</c>.</summary>
    public string? Metrics { get; set; }
}
