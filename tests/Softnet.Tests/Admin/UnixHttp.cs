using Softnet.Cli.Admin;

namespace Softnet.Tests.Admin;

/// <summary>A raw HTTP client over a Unix socket, for requests the CLI would never send.</summary>
internal static class UnixHttp
{
    public static HttpClient Create(string socketPath) => AdminClient.CreateHttp(socketPath);
}
