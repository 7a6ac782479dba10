using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSoftnet<CountingHandler>(configure: o => o.Cpus = 2);
        builder.Services.AddSoftnetAdmin(new AdminOptions { UnixSocketPath = path });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            using var http = UnixHttp.Create(path);
            string text = await http.GetStringAsync("softnet_stat");
            Assert.Equal(2, SoftnetStat.Parse(text).Count);
            Assert.Equal(path, host.Services.GetRequiredService<SoftnetAdminService>().Server.SocketPath);
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.False(File.Exists(path), "the admin socket outlived the host");
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>Registering the endpoint before the stack is refused: it would start before the stack it serves.</summary>
    [Fact]
    public void AddSoftnetAdmin_BeforeAddSoftnet_IsRefused()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddSoftnetAdmin());

        Assert.Contains("AddSoftnet first", ex.Message);
    }
}
