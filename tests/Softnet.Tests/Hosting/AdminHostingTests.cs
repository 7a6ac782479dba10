using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Softnet.Admin;
using Softnet.Diagnostics;
using Softnet.Hosting;
using Softnet.Tests.Admin;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Hosting;

/// <summary>The opt-in admin endpoint as a hosted service over the hosted stack.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class AdminHostingTests
{
    /// <summary>The endpoint serves the hosted stack while the host runs and removes its socket when the host stops.</summary>
    [Fact]
    public async Task AddSoftnetAdmin_ServesTheHostedStack_UntilTheHostStops()
    {
        string directory = AdminHarness.NewDirectory();
        string path = Path.Combine(directory, "admin.sock");
        await WhileHosted(
            builder =>
            {
                builder.Services.AddSoftnet<CountingHandler>(configure: o => o.Cpus = 2);
                builder.Services.AddSoftnetAdmin(new AdminOptions { UnixSocketPath = path });
            },
            path,
            async host =>
            {
                using var http = UnixHttp.Create(path);
                string text = await http.GetStringAsync("softnet_stat");
                Assert.Equal(2, SoftnetStat.Parse(text).Count);
                Assert.Equal(path, host.Services.GetRequiredService<SoftnetAdminService>().Server.SocketPath);
            });
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// Without options, <c>AddSoftnetAdmin</c> listens where the <c>Softnet:Admin</c> section says: its socket path, and a
    /// metrics listener of its own that serves the hosted stack's counters.
    /// </summary>
    [Fact]
    public async Task AddSoftnetAdmin_ListensWhereTheAdminSectionSays()
    {
        string directory = AdminHarness.NewDirectory();
        string path = Path.Combine(directory, "configured.sock");
        await WhileHosted(
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Softnet:Cpus"] = "2",
                    ["Softnet:Admin:UnixSocketPath"] = path,
                    ["Softnet:Admin:Metrics"] = "127.0.0.1:0",
                });
                builder.Services.AddSoftnet<CountingHandler>(builder.Configuration.GetSection(SoftnetOptions.SectionName));
                builder.Services.AddSoftnetAdmin();
            },
            path,
            async host =>
            {
                var server = host.Services.GetRequiredService<SoftnetAdminService>().Server;
                Assert.Equal(path, server.SocketPath);
                var metrics = Assert.IsType<System.Net.IPEndPoint>(server.MetricsEndPoint);
                Assert.NotEqual(0, metrics.Port);
                using var http = new HttpClient();
                string text = await http.GetStringAsync($"http://{metrics}/metrics");
                Assert.Contains("softnet_", text);
            });
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>The admin section's endpoints are checked with the rest of the section when the host starts.</summary>
    [Fact]
    public async Task BadAdminEndpoints_FailTheStart_NamingTheOption()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Softnet:Admin:Http"] = "localhost:9100",
            ["Softnet:Admin:Metrics"] = "127.0.0.1",
        });
        builder.Services.AddSoftnet<CountingHandler>(builder.Configuration.GetSection(SoftnetOptions.SectionName));
        builder.Services.AddSoftnetAdmin();
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "Softnet:Admin:Http must be an IP address and port such as 127.0.0.1:8125 or [::]:8125 (port 0 to pick one; got 'localhost:9100')",
                "Softnet:Admin:Metrics must be an IP address and port such as 127.0.0.1:8125 or [::]:8125 (port 0 to pick one; got '127.0.0.1')",
            ],
            ex.Failures);
    }

    /// <summary>Registering the endpoint before the stack is refused: it would start before the stack it serves.</summary>
    [Fact]
    public void AddSoftnetAdmin_BeforeAddSoftnet_IsRefused()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddSoftnetAdmin());

        Assert.Contains("AddSoftnet first", ex.Message);
    }

    /// <summary>
    /// <c>AddSoftnetMetrics</c> alone: the read-only listener serves the hosted stack's counters after real traffic,
    /// answers nothing but <c>GET /metrics</c>, and no admin endpoint (nothing that can change settings) is registered.
    /// </summary>
    [Fact]
    public async Task AddSoftnetMetrics_ServesOnlyMetrics_WithoutTheAdminEndpoint()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSoftnet<CountingHandler>(configure: o =>
        {
            o.Cpus = 2;
            o.Udp = new SoftnetUdpOptions { Bind = "127.0.0.1:0", Queues = 1 };
        });
        builder.Services.AddSoftnetMetrics("127.0.0.1:0");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var udp = host.Services.GetRequiredService<SoftnetService>().Udp!;
            using (var client = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp))
            {
                for (int i = 0; i < 20; i++)
                    client.SendTo(new byte[16], udp.LocalEndPoint);
            }

            var handler = Assert.IsType<CountingHandler>(host.Services.GetRequiredService<IPacketBatchHandler>());
            Assert.True(SpinWait.SpinUntil(() => handler.Packets + udp.ReadSocketDrops() == 20, TimeSpan.FromSeconds(10)));
            var metrics = host.Services.GetRequiredService<SoftnetMetricsService>().EndPoint;
            Assert.NotEqual(0, metrics.Port);
            using var http = new HttpClient { BaseAddress = new Uri($"http://{metrics}/") };
            string text = await http.GetStringAsync("metrics");

            Assert.Contains($"softnet_napi_packets_total{{napi_id=\"{udp.Napis[0].Id}\",ifname=\"{udp.Name}\"}} {handler.Packets}\n", text);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("stats")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.PostAsync("napi/1", new StringContent("{}"))).StatusCode);
            Assert.Null(host.Services.GetService<SoftnetAdminService>());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>A metrics endpoint that does not parse is refused when it is registered, naming what it takes.</summary>
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost:9102")]
    public void AddSoftnetMetrics_UnparsableEndPoint_IsRefused(string endPoint)
    {
        var services = new ServiceCollection();
        services.AddSoftnet<CountingHandler>();

        var ex = Assert.Throws<ArgumentException>(() => services.AddSoftnetMetrics(endPoint));

        Assert.Contains($"must be an IP address and port such as 127.0.0.1:8125 or [::]:8125 (port 0 to pick one; got '{endPoint}')", ex.Message);
    }

    /// <summary>Starts a host <paramref name="configure"/> sets up, runs <paramref name="whileRunning"/>, stops the host, and checks the admin socket at <paramref name="path"/> went with it.</summary>
    private static async Task WhileHosted(Action<HostApplicationBuilder> configure, string path, Func<IHost, Task> whileRunning)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configure(builder);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await whileRunning(host);
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.False(File.Exists(path), "the admin socket outlived the host");
    }
}
