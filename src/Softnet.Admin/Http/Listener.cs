using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Softnet.Admin.Http;

/// <summary>Which of the server's listeners a request came in on; each connection is tagged when Kestrel accepts it.</summary>
internal enum Listener
{
    /// <summary>Untagged connections are treated as the HTTP admin listener: the strictest checks apply.</summary>
    AdminHttp,
    UnixSocket,
}

internal static class ListenerTag
{
    private const string Key = "softnet.listener";

    public static void Tag(this ListenOptions options, Listener listener) =>
        options.Use(next => connection =>
        {
            connection.Items[Key] = listener;
            return next(connection);
        });

    public static Listener Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(Key, out object? value) == true && value is Listener listener
            ? listener
            : Listener.AdminHttp;
}
