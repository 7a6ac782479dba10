using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Softnet.Hosting;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Hosting;

/// <summary>
/// <c>AddSystemd()</c> with Softnet. Under systemd (its parent is systemd) it registers the systemd lifetime and
/// notifier; the test registers those same two directly, since its parent is not systemd, and stands in for systemd's
/// side with the <c>NOTIFY_SOCKET</c> datagram socket a <c>Type=notify</c> service is given, read by the test.
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class SystemdTests
{
    [Fact]
    public async Task AddSystemd_ReportsReadyAfterTheDeviceIsUp_AndStoppingAtShutdown()
    {
        string directory = Directory.CreateTempSubdirectory("softnet-systemd-").FullName;
        string socketPath = Path.Combine(directory, "notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        notify.ReceiveTimeout = 10_000;
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", socketPath);
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            // What AddSystemd() registers when the parent process is systemd.
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
            builder.Services.AddSoftnet<CountingHandler>(configure: o =>
            {
                o.Cpus = 2;
                o.Udp = new SoftnetUdpOptions { Bind = "127.0.0.1:0", Queues = 1 };
            });
            using var host = builder.Build();
            await host.StartAsync();
            string ready = Receive(notify);
            bool udpUp = host.Services.GetRequiredService<SoftnetService>().Udp is { QueueCount: 1 };
            await host.StopAsync();
            string stopping = Receive(notify);

            Assert.Contains("READY=1", ready);
            Assert.True(udpUp, "the UDP device was not up when readiness was reported");
            Assert.Contains("STOPPING=1", stopping);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Outside systemd, <c>AddSystemd()</c> changes nothing: the hosted stack starts and stops as usual.</summary>
    [Fact]
    public async Task AddSystemd_OutsideSystemd_LeavesTheHostAsItWas()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSystemd();
        builder.Services.AddSoftnet<CountingHandler>(configure: o => o.Cpus = 2);
        using var host = builder.Build();

        await host.StartAsync();
        int cpus = host.Services.GetRequiredService<SoftnetService>().Stack.CpuCount;
        await host.StopAsync();

        Assert.False(SystemdHelpers.IsSystemdService());
        Assert.IsNotType<SystemdLifetime>(host.Services.GetRequiredService<IHostLifetime>());
        Assert.Equal(2, cpus);
    }

    private static string Receive(Socket socket)
    {
        var buffer = new byte[512];
        int n = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
