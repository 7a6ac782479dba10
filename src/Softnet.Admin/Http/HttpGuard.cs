using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Softnet.Admin.Http;

/// <summary>
/// What a TCP listener demands before a request reaches the API. Any local user can connect to a loopback port and any
/// web page can make a browser send requests to one, so the admin listener wants the bearer token, refuses a
/// <c>Host</c> that is not a loopback literal or <c>localhost</c> (DNS rebinding) and any request with an
/// <c>Origin</c> (browsers send one on cross-site requests), and takes state changes only as
/// <c>application/json</c>, which a page cannot send cross-site without a preflight. The Unix socket is guarded by
/// its file mode and passes through.
/// </summary>
internal sealed class HttpGuard(string token, IPAddress? remoteAddress)
{
    public Task Invoke(HttpContext context, RequestDelegate next)
    {
        if (ListenerTag.Of(context) != Listener.UnixSocket)
            CheckAdmin(context.Request);
        return next(context);
    }

    private void CheckAdmin(HttpRequest request)
    {
        if (!AllowedHost(request.Host))
            throw new AdminProblem(StatusCodes.Status403Forbidden, "EPERM", $"Host '{request.Host}' is refused: use a loopback address or localhost");
        if (request.Headers.ContainsKey(HeaderNames.Origin))
            throw new AdminProblem(StatusCodes.Status403Forbidden, "EPERM", "requests with an Origin header (from a web page) are refused");
        string? authorization = request.Headers.Authorization;
        string? presented = authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
        if (!AdminToken.Matches(token, presented))
            throw new AdminProblem(StatusCodes.Status401Unauthorized, "EACCES", presented is null
                ? "the admin API needs 'Authorization: Bearer TOKEN' (the token is in the file beside the admin socket, or --admin-token-file)"
                : "the bearer token is wrong");
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && !(MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
            throw new AdminProblem(StatusCodes.Status415UnsupportedMediaType, "EINVAL", $"{request.Method} needs Content-Type: application/json (got '{request.ContentType}')");
    }

    private bool AllowedHost(HostString host)
    {
        if (!host.HasValue)
            return false;
        string name = host.Host;
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        if (!IPAddress.TryParse(name.Trim('[', ']'), out var address))
            return false;
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IPAddress.IsLoopback(plain) || (remoteAddress is not null && plain.Equals(remoteAddress));
    }
}
