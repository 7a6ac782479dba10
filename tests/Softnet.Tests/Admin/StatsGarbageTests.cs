using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace Softnet.Tests.Admin;

/// <summary>
/// What a <c>GET /stats</c> leaves to the garbage collector, whose collections stop the packet threads: a threaded
/// NAPI's row reads the thread's state from <c>/proc</c> on every request, and that read must not be what makes a
/// polled server collect.
/// </summary>
[Collection(AdminCollection.Name)]
public sealed class StatsGarbageTests
{
    private const int Requests = 300;

    /// <summary>Far below what reading the file into a string cost (about 9 KB a row).</summary>
    private const long PerThreadedNapi = 1_024;

    [Fact]
    public async Task AThreadedNapisRow_AddsLittleGarbageToAStatsRequest()
    {
        await using var h = await AdminHarness.StartAsync();
        using var client = new RawClient(h.Server.SocketPath);
        long unthreaded = client.AllocatedPerRequest("/stats");
        await h.Ok("dev", "set", "fq0", "--threaded", "enabled");
        int threaded = h.Device.Napis.Count;
        long withThreads = client.AllocatedPerRequest("/stats");

        Assert.True(
            withThreads - unthreaded < threaded * PerThreadedNapi,
            $"GET /stats allocated {unthreaded} B a request with no threaded NAPI and {withThreads} B with {threaded}");
    }

    /// <summary>An HTTP/1.1 client over the admin socket that allocates nothing per request: one connection, fixed buffers.</summary>
    private sealed class RawClient : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly byte[] _response = new byte[1 << 20];

        public RawClient(string path) => _socket.Connect(new UnixDomainSocketEndPoint(path));

        /// <summary>The process's allocation per request over <see cref="Requests"/> requests, after as many to warm up.</summary>
        public long AllocatedPerRequest(string route)
        {
            var request = Encoding.ASCII.GetBytes($"GET {route} HTTP/1.1\r\nHost: localhost\r\n\r\n");
            for (int i = 0; i < Requests; i++)
                Get(request);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Requests; i++)
                Get(request);
            return (GC.GetTotalAllocatedBytes(precise: true) - before) / Requests;
        }

        public void Dispose() => _socket.Dispose();

        /// <summary>Sends the request and reads the whole response: its Content-Length of body, or chunks up to the last.</summary>
        private void Get(byte[] request)
        {
            _socket.Send(request);
            int got = 0;
            while (true)
            {
                int n = _socket.Receive(_response.AsSpan(got));
                Assert.True(n > 0, "the server closed the connection");
                got += n;
                var text = _response.AsSpan(0, got);
                int end = text.IndexOf("\r\n\r\n"u8);
                if (end < 0)
                    continue;
                int length = text[..end].IndexOf("Content-Length: "u8);
                if (length < 0 ? text.EndsWith("\r\n0\r\n\r\n"u8) : Utf8Parser.TryParse(text[(length + 16)..], out int body, out _) && got >= end + 4 + body)
                    return;
            }
        }
    }
}
