using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Softnet.Admin.Contract;

namespace Softnet.Cli.Admin;

/// <summary>
/// HTTP over the admin Unix socket, or over the HTTP listener with the bearer token. Connection failures and a
/// server that does not answer in time become <see cref="NoServerException"/>, error answers <see cref="RefusedException"/>.
/// </summary>
internal sealed class AdminClient : IDisposable
{
    /// <summary>A live server answers in milliseconds; one that accepts but never answers (stopped, hung) is given up on.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;

    /// <param name="socketPath">The Unix socket.</param>
    /// <param name="requireOwnUid">The default path: the server must run as this user (see <see cref="ServerPeerException"/>).</param>
    public AdminClient(string socketPath, bool requireOwnUid)
    {
        SocketPath = socketPath;
        Where = socketPath;
        _http = CreateHttp(socketPath, requireOwnUid);
        _http.Timeout = AnswerTimeout;
    }

    /// <summary>Talks to the HTTP listener at <paramref name="endPoint"/>, presenting <paramref name="token"/>.</summary>
    public AdminClient(System.Net.IPEndPoint endPoint, string token)
    {
        Where = $"http://{endPoint}";
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = AnswerTimeout, UseProxy = false })
        {
            BaseAddress = new Uri($"http://{endPoint}/"),
            Timeout = AnswerTimeout,
        };
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The Unix socket, or null over HTTP.</summary>
    public string? SocketPath { get; }

    /// <summary>The socket path or the HTTP address, for messages.</summary>
    public string Where { get; }

    /// <summary>An HTTP client whose every connection goes to the Unix socket at <paramref name="socketPath"/>.</summary>
    public static HttpClient CreateHttp(string socketPath, bool requireOwnUid = false)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    ServerPeerException.Check(socket, requireOwnUid);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The host name is never resolved: every connection goes to the socket.
        return new HttpClient(handler) { BaseAddress = new Uri("http://softnet/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
        return await Read(response, type);
    }

    public async Task<string> GetTextAsync(string path)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, requestType) };
        using var response = await SendAsync(request);
        return await Read(response, responseType);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request);
        }
        catch (HttpRequestException e) when (e.InnerException is ServerPeerException peer)
        {
            throw new NoServerException($"{Where}: {peer.Message}", e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            // A missing file reads "Cannot assign requested address" (ENOENT's socket mapping): say it plainly.
            string reason = SocketPath is not null && !File.Exists(SocketPath) ? " (no such socket file)" : e.InnerException is SocketException s ? $" ({s.Message})" : "";
            throw new NoServerException($"no softnet server at {Where}{reason}", e);
        }
        catch (HttpRequestException e)
        {
            // Connected, then the answer never came whole: the server stopped or crashed mid-request.
            throw new NoServerException($"the softnet server at {Where} closed the connection without answering ({e.InnerException?.Message ?? e.Message})", e);
        }
        catch (TaskCanceledException e)
        {
            throw new NoServerException($"no answer from the softnet server at {Where} within {AnswerTimeout.TotalSeconds:0} s (stopped or hung)", e);
        }
        finally
        {
            request.Dispose();
        }
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
            throw await Refusal(response);
    }

    private static async Task<RefusedException> Refusal(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        try
        {
            if (JsonSerializer.Deserialize(text, AdminJsonContext.Default.AdminError) is { } error)
                return new RefusedException(error.Error, error.Errno);
        }
        catch (JsonException)
        {
        }
        return new RefusedException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {text}", "EIO");
    }

    private static async Task<T> Read<T>(HttpResponseMessage response, JsonTypeInfo<T> type) =>
        await response.Content.ReadFromJsonAsync(type)
            ?? throw new RefusedException($"the server sent an empty {typeof(T).Name}", "EIO");
}
